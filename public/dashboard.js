"use strict";
(() => {
  const seconds = Math.max(5, Number(document.body.dataset.refresh) || 30);
  let timer;
  function schedule() {
    clearTimeout(timer);
    if (!document.hidden) timer = setTimeout(refresh, seconds * 1000);
  }
  async function refresh() {
    try {
      const res = await fetch(location.href, { headers: { accept: "text/html" }, cache: "no-store" });
      if (!res.ok) throw new Error("HTTP " + res.status);
      const next = new DOMParser().parseFromString(await res.text(), "text/html");
      for (const live of document.querySelectorAll("[data-live]")) {
        const fresh = next.getElementById(live.id);
        if (!fresh) continue;
        // A <details> the reader opened inside a region stays open across the swap.
        const open = Array.from(live.querySelectorAll("details"), (d) => d.open);
        fresh.querySelectorAll("details").forEach((d, i) => { if (open[i]) d.open = true; });
        live.replaceWith(document.importNode(fresh, true));
      }
      document.title = next.title;
      document.body.classList.remove("offline");
    } catch {
      document.body.classList.add("offline");
    }
    schedule();
  }
  document.addEventListener("visibilitychange", () => (document.hidden ? clearTimeout(timer) : refresh()));
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const input = document.getElementById(button.dataset.copy);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Press Ctrl+C";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
  schedule();
})();

"use strict";
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  function local(date) {
    const offset = -date.getTimezoneOffset();
    const abs = Math.abs(offset);
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()) + " " +
      (offset < 0 ? "-" : "+") + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }
  function localize() {
    for (const el of document.querySelectorAll("time[datetime]:not([data-localized])")) {
      const date = new Date(el.dateTime);
      if (Number.isNaN(date.getTime())) continue;
      el.dataset.localized = "";
      if (el.hasAttribute("data-local")) el.textContent = local(date);
      else el.title = local(date) + " (" + el.title + ")";
    }
  }
  localize();
  new MutationObserver(localize).observe(document.body, { childList: true, subtree: true });
})();

/** Headless Chromium for the page tests: one set of flags, and pages that record what went wrong. */
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's chromium (.ci/run installs it); playwright-core drives it, no downloaded browser. */
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export type Browser = Awaited<ReturnType<typeof launchChromium>>;

export interface Watched {
  page: Page;
  /** Console errors, uncaught page errors and CSP violations, in order. */
  problems: string[];
  /** Full loads of the main frame so far (the first included). */
  navigations: () => number;
  /** The status of the first load. */
  status: number | undefined;
}

/** Opens `url` in a new page of `ctx`, recording its problems and navigations from the start. */
export async function openWatched(ctx: BrowserContext, url: string): Promise<Watched> {
  const page = await ctx.newPage();
  const problems: string[] = [];
  let navigations = 0;
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) navigations++;
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP blocked ${e.blockedURI} (${e.violatedDirective})`);
    });
  });
  const res = await page.goto(url);
  return { page, problems, navigations: () => navigations, status: res?.status() };
}

/** The bundle-size baseline for bench/badge.ts: the smallest Hono Worker, built the same way. */
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.text("hello"));

export default app;

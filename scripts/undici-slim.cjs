"use strict";
// The beacon's whole use of undici, for the one-file build: `request` through an EnvHttpProxyAgent.
// undici's index.js also loads fetch, WebSocket, the mock and cache layers (91 % of the old bundle);
// this loads the dispatcher, its request API and the proxy agent, nothing else. `npm run beacon`
// under tsx still imports the real package; both speak the same `request(url, opts)`.
const Dispatcher = require("undici/lib/dispatcher/dispatcher");
// request for the beat; connect because the proxy agent opens its CONNECT tunnel with it.
const api = { request: require("undici/lib/api/api-request"), connect: require("undici/lib/api/api-connect") };
const EnvHttpProxyAgent = require("undici/lib/dispatcher/env-http-proxy-agent");
const { InvalidArgumentError } = require("undici/lib/core/errors");

Object.assign(Dispatcher.prototype, api);

function request(url, opts) {
  if (!opts?.dispatcher) throw new InvalidArgumentError("the beacon always passes its dispatcher");
  const target = new URL(url);
  return api.request.call(opts.dispatcher, {
    ...opts,
    origin: target.origin,
    path: `${target.pathname}${target.search}`,
    method: opts.method || "GET",
  });
}

module.exports = { request, EnvHttpProxyAgent };

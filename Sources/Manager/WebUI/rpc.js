// The manager's ConPaaS JSON-RPC API at "/" (PROTOCOL.md), as the page uses it.
// GET methods go as GET /?method=&params=, the others as POST JSON, dumps as
// multipart UPLOAD. No token is sent until the manager answers 401; then the
// page asks for one and keeps it in sessionStorage.

const TOKEN_KEY = "conpaassql.token";

/** A call the manager refused, or could not answer; `message` is what to show. */
export class CallError extends Error {}

/** The manager answered 401: the call can be made again once a token is given. */
export class TokenNeeded extends CallError {}

let tokenListener = () => {};

/** Calls `listener(hadToken)` whenever the manager refuses the token (or its absence). */
export function onTokenNeeded(listener) {
  tokenListener = listener;
}

/** Keeps `token` for this tab and sends it from now on. */
export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

function authorization(token) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** The `result` of an answer to a call sent with `token`, or a CallError with the manager's own message. */
function result(status, text, token) {
  if (status === 401) {
    const current = sessionStorage.getItem(TOKEN_KEY);
    if (!token || current === token) {
      sessionStorage.removeItem(TOKEN_KEY);
      tokenListener(Boolean(token));
    }
    throw new TokenNeeded(token ? "The manager refused the token." : "The manager needs a token.");
  }
  let answer;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new CallError(`HTTP ${status} without a JSON answer`);
  }
  if (answer.error !== undefined && answer.error !== null) {
    const error = answer.error;
    throw new CallError(typeof error === "string" ? error : error.message || JSON.stringify(error));
  }
  if (!("result" in answer)) throw new CallError(`HTTP ${status} without a result`);
  return answer.result;
}

/** Sends a JSON call with the token kept for this tab, if any. */
async function send(url, init) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { "Content-Type": "application/json", ...authorization(token) };
  let response;
  try {
    response = await fetch(url, { cache: "no-store", ...init, headers });
  } catch {
    throw new CallError("The manager cannot be reached.");
  }
  return result(response.status, await response.text(), token);
}

/** Calls a GET method. */
export function get(method, params = {}) {
  const query = new URLSearchParams({ method, params: JSON.stringify(params), id: "1" });
  return send(`/?${query}`, {});
}

/** Calls a POST method. */
export function post(method, params = {}) {
  return send("/", { method: "POST", body: JSON.stringify({ method, params, id: "1" }) });
}

/**
 * Calls an UPLOAD method: `fields` and `file` (under `fileField`) as multipart/form-data.
 * `onProgress(fraction)` follows the upload.
 */
export function upload(method, fields, fileField, file, onProgress) {
  const form = new FormData();
  form.append("method", method);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append(fileField, file, file.name);
  const token = sessionStorage.getItem(TOKEN_KEY);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/");
    for (const [name, value] of Object.entries(authorization(token))) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      try {
        resolve(result(request.status, request.responseText, token));
      } catch (error) {
        reject(error);
      }
    };
    request.onerror = () => reject(new CallError("The manager cannot be reached."));
    request.send(form);
  });
}

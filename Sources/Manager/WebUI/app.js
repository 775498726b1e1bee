// The operator's page: polls the manager every 2 s and wires every part.

import { get, onTokenNeeded, setToken, TokenNeeded } from "./rpc.js";
import { $, ago, busy, el, showError, stateClass } from "./ui.js";
import { loadNodes, renderNodes, setupNodes } from "./nodes.js";
import { promotionText, refreshJobs } from "./jobs.js";
import { refreshUsers, setupUsers } from "./users.js";
import { setupDump } from "./dump.js";
import { refreshBackups, setupBackups } from "./backups.js";

const POLL_MS = 2000;
let timer;
let polling = false;
let pollAgain = false;
let lastUpdate;
let runningNodes = "";
let lastJobs = "";

function showService(info) {
  const state = $("service-state");
  state.textContent = info.state;
  state.className = `badge ${stateClass(info.state)}`;
  const byState = Object.entries(info.nodes_by_state || {}).map(([name, count]) => `${count} ${name.toLowerCase()}`);
  const nodes = `${info.nodes} node${info.nodes === 1 ? "" : "s"}`;
  const text = [nodes + (byState.length ? ` (${byState.join(", ")})` : ""),
    info.master ? `master ${info.master}` : null, Number.isInteger(info.epoch) ? `epoch ${info.epoch}` : null,
    info.auto_failover === false ? "auto failover off" : null].filter(Boolean).join(" · ");
  $("service-summary").replaceChildren(text, ...(info.semi_sync ? [" · ", semiSyncLabel(info.semi_sync)] : []));
  const reason = $("service-reason");
  reason.hidden = info.writable !== false;
  reason.textContent = info.writable === false ? `not writable: ${info.reason || "no reason given"}` : "";
  const last = info.last_failover;
  $("last-failover").hidden = !last;
  $("last-failover").textContent = last ? `last failover: ${promotionText(last)}` : "";
  $("last-failover").title = last ? `at ${last.at}, epoch ${last.epoch}, job ${last.job}` : "";
  showEndpoints(info.endpoints);
}

/** The writer and reader addresses, each with a button that copies its `mariadb` command line. */
function showEndpoints(endpoints) {
  const box = $("endpoints");
  box.hidden = !endpoints;
  if (!endpoints || box.dataset.shown === JSON.stringify(endpoints)) return;
  box.dataset.shown = JSON.stringify(endpoints);
  box.replaceChildren(...["writer", "reader"].map((name) => {
    const [host, port] = [endpoints[name].slice(0, endpoints[name].lastIndexOf(":")), endpoints[name].split(":").pop()];
    const command = `mariadb -h ${host.replace(/^\[|\]$/g, "")} -P ${port} -u USER -p`;
    const copy = el("button", { type: "button", class: "small copy-endpoint", title: command }, "copy");
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(command);
        copy.textContent = "copied";
      } catch {
        copy.textContent = "select it";
      }
      setTimeout(() => { copy.textContent = "copy"; }, 1500);
    });
    return el("span", { "data-endpoint": name }, `${name} `, el("span", { class: "mono" }, endpoints[name]), " ", copy);
  }));
}

/** "semi-sync on", in a warning colour when off: the master then commits without a replica's acknowledgement. */
function semiSyncLabel(state) {
  const off = state === "off";
  return el("span", { class: off ? "semi-sync-off" : null,
    title: off ? "The master commits without waiting for a replica: a failover may lose transactions." : null }, `semi-sync ${state}`);
}

function showUnreachable(error) {
  const state = $("service-state");
  state.textContent = "UNREACHABLE";
  state.className = "badge state-unreachable";
  $("service-summary").textContent = error.message;
  $("service-reason").hidden = true;
  $("last-failover").hidden = true;
  $("endpoints").hidden = true;
}

/**
 * Reads everything the page shows (the users list only when the running nodes
 * changed), then polls again in 2 s. A call while a poll runs makes the next
 * poll start as soon as this one ends.
 */
async function poll() {
  if (polling) {
    pollAgain = true;
    return;
  }
  polling = true;
  clearTimeout(timer);
  try {
    const [info, nodes, performance] = await Promise.all([get("get_service_info"), loadNodes(), get("get_service_performance")]);
    showService(info);
    renderNodes(nodes, performance);
    await refreshJobs(info.jobs || []);
    if ((info.jobs || []).join(",") !== lastJobs) {
      lastJobs = (info.jobs || []).join(",");
      refreshBackups().catch(showError);
    }
    lastUpdate = new Date();
    const running = nodes.filter((node) => node.state === "RUNNING").map((node) => node.id).join(",");
    if (running !== runningNodes) {
      runningNodes = running;
      refreshUsers().catch(showError);
    }
  } catch (error) {
    if (error instanceof TokenNeeded) return;
    showUnreachable(error);
  } finally {
    polling = false;
  }
  timer = setTimeout(poll, pollAgain ? 0 : POLL_MS);
  pollAgain = false;
}

function showTokenForm(hadToken) {
  clearTimeout(timer);
  $("token-message").textContent = hadToken ? "The manager refused that token. Try again:" : "This manager needs a token.";
  $("token-form").hidden = false;
  $("token-input").focus();
}

function setupToken() {
  onTokenNeeded(showTokenForm);
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    setToken($("token-input").value.trim());
    $("token-input").value = "";
    $("token-form").hidden = true;
    poll();
    refreshUsers().catch(showError);
  });
}

function setupLog() {
  const load = async () => {
    $("log-text").textContent = (await get("getLog")).log || "(empty)";
  };
  $("log").addEventListener("toggle", () => $("log").open && load().catch(showError));
  $("log-refresh").addEventListener("click", (event) => busy(event.currentTarget, load));
}

$("manager-address").textContent = location.host;
$("error-close").addEventListener("click", () => ($("error-banner").hidden = true));
setInterval(() => lastUpdate && ($("last-update").textContent = `updated ${ago(lastUpdate)}`), 1000);
setupToken();
setupNodes(poll);
setupUsers();
setupDump();
setupBackups();
setupLog();
poll();

// The nodes table (get_node_info per node, replication lag from
// get_service_performance) and the buttons that add, remove and promote nodes.

import { get, post } from "./rpc.js";
import { $, el, badge, busy, confirmClick, stateClass } from "./ui.js";
import { track } from "./jobs.js";

const rows = new Map();
let refreshAfterChange = () => {};

/** Every live node as get_node_info shows it, in list_nodes order. */
export async function loadNodes() {
  const ids = (await get("list_nodes"))["conpaas-mysql"] || [];
  const nodes = await Promise.all(
    ids.map((id) => get("get_node_info", { serviceNodeId: id }).then((info) => info.serviceNode, () => null)),
  );
  return nodes.filter((node) => node);
}

/** Wires the add and remove buttons; `refresh()` is called after each change. */
export function setupNodes(refresh) {
  refreshAfterChange = refresh;
  $("add-node").addEventListener("click", (event) =>
    busy(event.currentTarget, async () => {
      const count = Number($("add-count").value);
      if (!Number.isInteger(count) || count < 1) throw new Error("The number of nodes to add must be at least 1.");
      const added = await post("add_nodes", { count });
      track(added.job);
      refresh();
    }),
  );
  confirmClick($("remove-replica"), async () => {
    const removed = await post("remove_nodes", { count: 1 });
    track(removed.job);
    refresh();
  });
  $("add-count").addEventListener("input", () => {
    $("add-node").textContent = Number($("add-count").value) > 1 ? "Add nodes" : "Add node";
  });
}

/** The replication lag cell of a node from its get_service_performance report. */
function lagCell(node, report) {
  if (node.role === "master") return el("span", { class: "muted" }, "— master");
  if (!report) return el("span", { class: "muted" }, "—");
  if (report.error) return el("span", { class: "lag lag-bad", title: report.error }, "unreachable");
  const lag = report.seconds_behind_master;
  if (lag === null || lag === undefined || report.io_running === false || report.sql_running === false) {
    return el("span", { class: "lag lag-bad", title: report.last_error || "replication is not running" }, "stopped");
  }
  const level = lag < 5 ? "lag-good" : lag < 60 ? "lag-warn" : "lag-bad";
  return el("span", { class: `lag ${level}` }, `${lag} s`);
}

/** A button that needs a confirming click, then calls `method` for node `id` and follows its job. */
function nodeAction(id, label, className, method, title) {
  const button = el("button", { type: "button", class: `small ${className}`, title }, label);
  return confirmClick(button, async () => {
    const started = await post(method, { serviceNodeId: id });
    track(started.job);
    refreshAfterChange();
  });
}

function newRow(id) {
  const promote = nodeAction(id, "Promote", "promote-node", "switchover", "Switch over: this replica becomes the master");
  const remove = nodeAction(id, "Remove", "danger-outline remove-node", "remove_nodes");
  const row = el("tr", { "data-node-id": id });
  row.append(...Array.from({ length: 6 }, () => el("td")), el("td", { class: "row-actions" }, promote, remove));
  return row;
}

/** Shows `nodes` in the table, with each node's lag from `performance`; rows are kept, not rebuilt. */
export function renderNodes(nodes, performance) {
  const body = $("nodes-table").tBodies[0];
  const reports = (performance && performance.nodes) || {};
  for (const [id, row] of rows) {
    if (!nodes.some((node) => node.id === id)) {
      row.remove();
      rows.delete(id);
    }
  }
  for (const node of nodes) {
    if (!rows.has(node.id)) rows.set(node.id, newRow(node.id));
    const row = rows.get(node.id);
    row.dataset.state = node.state;
    row.className = stateClass(node.state);
    const [id, address, role, state, lag, reason] = row.cells;
    id.replaceChildren(el("span", { class: "mono" }, node.id));
    address.replaceChildren(el("span", { class: "mono" }, node.ip ? `${node.ip}:${node.mysqld_port}` : "—"));
    role.replaceChildren(el("span", { class: `role role-${node.role}` }, node.role === "master" ? "master" : "replica"));
    const stage = node.stage && node.state !== "RUNNING" ? el("span", { class: "stage" }, node.stage) : null;
    state.replaceChildren(badge(node.state), stage ?? "");
    lag.replaceChildren(lagCell(node, reports[node.id]));
    reason.replaceChildren(node.reason ? el("span", { class: "reason", title: node.reason }, node.reason) : "");
    row.querySelector(".promote-node").hidden = !(node.role === "slave" && node.state === "RUNNING");
    body.append(row);
  }
  $("nodes-empty").hidden = nodes.length > 0;
  $("nodes-table").hidden = nodes.length === 0;
}

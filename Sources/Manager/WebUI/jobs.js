// Jobs: those running (from get_service_info) and those this page started,
// each followed with get_job until it ends, showing each node's stages
// (CREATE, CONFIRM, BOOTSTRAP, CONFIGURE, VALIDATE; DRAIN, DESTROY; for a
// failover or switchover DETECT, FENCE, ELECT, CATCH_UP, PROMOTE, REPOINT, HEAL)
// and what a promotion did.

import { get } from "./rpc.js";
import { $, el, badge } from "./ui.js";

const followed = new Map();
const dismissed = new Set();
const KEEP_FINISHED = 3;

/** Follows job `id`, started by this page, until it ends. */
export function track(id) {
  if (id !== undefined && !followed.has(id)) followed.set(id, null);
}

/** Updates the jobs from `running` (get_service_info's jobs) and get_job for the others, then shows them. */
export async function refreshJobs(running) {
  for (const job of running) followed.set(job.id, job);
  const unfinished = [...followed.entries()].filter(
    ([id, job]) => (!job || job.state === "RUNNING") && !running.some((other) => other.id === id),
  );
  await Promise.all(unfinished.map(async ([id]) => followed.set(id, await get("get_job", { id }))));
  const finished = [...followed.values()].filter((job) => job && job.state !== "RUNNING").map((job) => job.id);
  for (const id of finished.sort((a, b) => b - a).slice(KEEP_FINISHED)) followed.delete(id);
  render();
}

const label = {
  add_nodes: "adding nodes", remove_nodes: "removing nodes", shutdown: "shutting down",
  failover: "failover", switchover: "switchover", replace_node: "replacing a node",
};

/**
 * A promotion in one line (get_job's `promotion`, get_service_info's `last_failover`):
 * "switchover node-1 → node-2 · writes unavailable 812 ms · lost GTIDs 0-1-17".
 */
export function promotionText(promotion) {
  const parts = [`${promotion.kind}${promotion.automatic ? " (automatic)" : ""} ${promotion.from} → ${promotion.to ?? "?"}`];
  if (promotion.write_unavailable_ms !== null && promotion.write_unavailable_ms !== undefined) {
    parts.push(`writes unavailable ${promotion.write_unavailable_ms} ms`);
  }
  if (promotion.lost_gtids) parts.push(`lost GTIDs ${promotion.lost_gtids}`);
  if (promotion.failure) parts.push(`failed: ${promotion.failure}`);
  return parts.join(" · ");
}

function elapsed(job) {
  const end = job.finished_at ? new Date(job.finished_at) : new Date();
  return `${Math.max(0, Math.round((end - new Date(job.created_at)) / 1000))} s`;
}

function nodeLine(node, tasks) {
  const done = tasks.filter((task) => task.state === "DONE" || task.state === "SKIPPED").length;
  const chips = tasks.map((task) => {
    const tip = `${task.stage}: ${task.state}` + (task.attempts > 1 ? `, attempt ${task.attempts}` : "") + (task.message ? ` — ${task.message}` : "");
    return el("span", { class: `chip chip-${task.state.toLowerCase()}`, title: tip }, task.stage);
  });
  const percent = tasks.length ? Math.round((100 * done) / tasks.length) : 100;
  const fill = el("div", { class: "fill" });
  fill.style.width = `${percent}%`;
  const bar = el("div", { class: "progress" }, fill);
  return el("div", { class: "job-node", "data-node-id": node }, el("span", { class: "mono" }, node), bar,
    el("span", { class: "count" }, `${done}/${tasks.length}`), el("div", { class: "chips" }, chips));
}

function jobCard(job) {
  const nodes = [...new Set(job.tasks.map((task) => task.node))];
  const close = job.state === "RUNNING" ? null
    : el("button", { type: "button", class: "ghost small", title: "Dismiss", "data-dismiss": job.id }, "✕");
  const card = el("div", { class: "job", "data-job-id": job.id, "data-job-state": job.state },
    el("div", { class: "job-head" }, el("strong", {}, `Job ${job.id}`), el("span", {}, label[job.kind] || job.kind),
      badge(job.state), el("span", { class: "muted" }, `${job.progress.done}/${job.progress.total} stages · ${elapsed(job)}`), close),
    job.promotion ? el("p", { class: "job-promotion" }, promotionText(job.promotion)) : null,
    nodes.map((node) => nodeLine(node, job.tasks.filter((task) => task.node === node))),
    job.message ? el("p", { class: "job-message" }, job.message) : null);
  if (close) close.addEventListener("click", () => { dismissed.add(job.id); render(); });
  return card;
}

function render() {
  const jobs = [...followed.values()].filter((job) => job && !dismissed.has(job.id)).sort((a, b) => b.id - a.id);
  $("jobs").replaceChildren(...jobs.map(jobCard));
  $("jobs-empty").hidden = jobs.length > 0;
}

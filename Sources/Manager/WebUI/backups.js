// Backups: list (list_backups) with size and the restorable range, create, restore, delete.

import { get, post } from "./rpc.js";
import { $, el, busy, confirmClick, showError } from "./ui.js";

function size(bytes) {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(0)} KiB`;
  return `${bytes} B`;
}

/** Loads list_backups and shows each backup with its restore and delete buttons. */
export async function refreshBackups() {
  const answer = await get("list_backups");
  const rows = (answer.backups || []).slice().reverse().map((backup) => {
    const restore = el("button", { type: "button", class: "small restore-backup", title: "Restore into this service once it has no nodes" }, "Restore");
    restore.hidden = backup.state !== "COMPLETE";
    restore.addEventListener("click", () => busy(restore, async () => {
      const until = $("restore-until").value.trim();
      await post("restore_backup", until ? { id: backup.id, until } : { id: backup.id });
      await refreshBackups();
    }));
    const remove = el("button", { type: "button", class: "small danger-outline" }, "Delete");
    remove.hidden = backup.state === "RUNNING";
    confirmClick(remove, async () => {
      await post("delete_backup", { id: backup.id });
      await refreshBackups();
    });
    return el("tr", { "data-backup": String(backup.id) },
      el("td", { class: "mono" }, String(backup.id)), el("td", {}, backup.state), el("td", { class: "mono" }, backup.created_at || ""),
      el("td", {}, backup.node || ""), el("td", { class: "mono" }, backup.gtid || ""), el("td", {}, size(backup.bytes || 0)),
      el("td", { class: "row-actions" }, restore, remove));
  });
  $("backups-table").tBodies[0].replaceChildren(...rows);
  $("backups-table").hidden = rows.length === 0;
  $("backups-empty").hidden = rows.length > 0;
  const range = answer.restorable;
  $("backups-range").textContent = range ? `Restorable from ${range.from} until ${range.until}.` : "Nothing to restore yet.";
}

/** Wires the create and refresh buttons. */
export function setupBackups() {
  $("backup-create").addEventListener("click", (event) => busy(event.currentTarget, async () => {
    await post("create_backup");
    await refreshBackups();
  }));
  $("backups-refresh").addEventListener("click", (event) => busy(event.currentTarget, refreshBackups));
  refreshBackups().catch(showError);
}

// User management: add (configure_user on all nodes), list (get_users), remove (delete_user).

import { get, post } from "./rpc.js";
import { $, el, busy, confirmClick, showError } from "./ui.js";

/** Loads get_users and shows each user with the nodes that have it. */
export async function refreshUsers() {
  const perNode = (await get("get_users")).users || {};
  const nodesOfUser = new Map();
  for (const [node, users] of Object.entries(perNode)) {
    for (const user of users) {
      const key = `${user.username}@${user.location || "%"}`;
      if (!nodesOfUser.has(key)) nodesOfUser.set(key, { username: user.username, nodes: [] });
      nodesOfUser.get(key).nodes.push(node);
    }
  }
  const rows = [...nodesOfUser.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, user]) => {
    const remove = el("button", { type: "button", class: "small danger-outline remove-user" }, "Remove");
    confirmClick(remove, async () => {
      await post("delete_user", { serviceNodeId: "all", username: user.username });
      await refreshUsers();
    });
    const chips = user.nodes.sort().map((node) => el("span", { class: "chip chip-node" }, node));
    return el("tr", { "data-user": user.username }, el("td", { class: "mono" }, key), el("td", {}, chips),
      el("td", { class: "row-actions" }, remove));
  });
  $("users-table").tBodies[0].replaceChildren(...rows);
  $("users-table").hidden = rows.length === 0;
  $("users-empty").hidden = rows.length > 0;
}

/** Wires the add form and the refresh button. */
export function setupUsers() {
  $("user-form").addEventListener("submit", (event) => {
    event.preventDefault();
    busy($("user-add"), async () => {
      const username = $("user-name").value.trim();
      await post("configure_user", { serviceNodeId: "all", username, password: $("user-password").value });
      $("user-password").value = "";
      $("user-name").value = "";
      await refreshUsers();
    });
  });
  $("users-refresh").addEventListener("click", (event) => busy(event.currentTarget, refreshUsers));
  refreshUsers().catch(showError);
}

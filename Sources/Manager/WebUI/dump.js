// Dump upload: send_mysqldump as a multipart UPLOAD with serviceNodeId=all.

import { upload } from "./rpc.js";
import { $, busy } from "./ui.js";

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function setProgress(fraction) {
  $("dump-progress").hidden = false;
  $("dump-progress").firstElementChild.style.width = `${Math.round(fraction * 100)}%`;
}

/** Wires the dump form. */
export function setupDump() {
  $("dump-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const file = $("dump-file").files[0];
    if (!file) return;
    const status = $("dump-status");
    const started = Date.now();
    status.className = "status";
    status.textContent = `Sending ${file.name} (${size(file.size)})…`;
    setProgress(0);
    busy($("dump-load"), async () => {
      try {
        await upload("send_mysqldump", { serviceNodeId: "all" }, "mysqldump", file, (fraction) => {
          setProgress(fraction);
          if (fraction >= 1) status.textContent = `Loading ${file.name} on the master…`;
        });
        status.className = "status ok";
        status.textContent = `Loaded ${file.name} (${size(file.size)}) in ${((Date.now() - started) / 1000).toFixed(1)} s.`;
      } catch (error) {
        status.className = "status bad";
        status.textContent = `${file.name} was not loaded.`;
        throw error;
      } finally {
        $("dump-progress").hidden = true;
      }
    });
  });
}

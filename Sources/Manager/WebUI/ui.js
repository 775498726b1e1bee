// Small DOM helpers shared by the page's parts. Text always goes in as
// textContent, never as HTML, so names coming from the manager stay text.

import { TokenNeeded } from "./rpc.js";

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A new element with attributes (`class`, `data-*`, `title`, ...) and children (nodes or text). */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** The CSS class showing a state's colour: state-running, state-failed, ... */
export const stateClass = (state) => `state-${String(state || "unknown").toLowerCase()}`;

/** A coloured badge with a state's name. */
export const badge = (state) => el("span", { class: `badge ${stateClass(state)}` }, state || "?");

/** Shows the manager's message (or any failure) in the banner. */
export function showError(error) {
  if (error instanceof TokenNeeded) return;
  $("error-text").textContent = error && error.message ? error.message : String(error);
  $("error-banner").hidden = false;
}

/** Hides the banner. */
export function clearError() {
  $("error-banner").hidden = true;
  $("error-text").textContent = "";
}

/**
 * Runs `action` with `button` disabled; the button is enabled again however it ends.
 * A failure is shown in the banner; the result (or undefined) is returned.
 */
export async function busy(button, action) {
  clearError();
  button.disabled = true;
  button.classList.add("working");
  try {
    return await action();
  } catch (error) {
    showError(error);
    return undefined;
  } finally {
    button.disabled = false;
    button.classList.remove("working");
  }
}

/**
 * Makes a destructive `button` need a second click within 4 s: the first
 * click arms it ("Sure?"), the second runs `action` through busy().
 */
export function confirmClick(button, action) {
  const label = button.textContent;
  let disarm;
  const reset = () => {
    button.classList.remove("armed");
    button.textContent = label;
  };
  button.addEventListener("click", () => {
    if (!button.classList.contains("armed")) {
      button.classList.add("armed");
      button.textContent = "Sure?";
      disarm = setTimeout(reset, 4000);
      return;
    }
    clearTimeout(disarm);
    reset();
    busy(button, action);
  });
  return button;
}

/** "3 s ago", "just now". */
export function ago(date) {
  const seconds = Math.round((Date.now() - date.getTime()) / 1000);
  return seconds < 2 ? "just now" : `${seconds} s ago`;
}

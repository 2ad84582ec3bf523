// Opens popups with window.open (which, unlike a target="_blank" link,
// leaves the popup a window.opener) and shows what became of each handle.
//
// This page cannot tell by itself a link that COOP cut from a popup that
// was closed: in both cases its handle says the popup is closed. So each
// popup gets an id and, once loaded, tells the server whether its own
// window.opener is null (opener.js); when the handle reads closed, this page
// asks. A popup whose opener was null was cut off; one that had a live
// opener, or that was closed before it loaded, was closed.
"use strict";

const WATCH_EVERY = 100; // ms between looks at the handle
const ASK_FOR = 3000; // ms to wait for a popup that has not said what it saw

function newPopupId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function whatThePopupSaw(id) {
  const deadline = Date.now() + ASK_FOR;
  for (;;) {
    const response = await fetch(`/popups/${id}`, { cache: "no-store" });
    const { opener } = await response.json();
    if (opener !== null || Date.now() >= deadline) {
      return opener;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function show(result, state, text) {
  if (result.dataset.state === state) {
    return;
  }
  result.dataset.state = state;
  result.textContent = text;
}

function watch(popup, id, result) {
  const timer = setInterval(async () => {
    if (!popup.closed) {
      show(result, "live", "this page holds a live handle on the popup.");
      return;
    }
    clearInterval(timer);
    show(result, "asking", "this page's handle says the popup is closed; asking the popup…");
    const opener = await whatThePopupSaw(id);
    if (opener === "null") {
      show(
        result,
        "cut",
        "cut: the popup's window.opener is null, and this page's handle on it " +
          "says it is closed, though the popup was open.",
      );
    } else if (opener === "live") {
      show(result, "closed", "closed: the popup had a live handle on this page until it was closed.");
    } else {
      show(result, "closed", "closed before its page loaded.");
    }
  }, WATCH_EVERY);
}

document.querySelectorAll("button[data-popup]").forEach((button) => {
  button.addEventListener("click", () => {
    const result = button.parentElement.querySelector(".handle");
    const id = newPopupId();
    const address = new URL(button.dataset.popup, location.href);
    address.searchParams.set("popup", id);
    const popup = window.open(address, "_blank");
    if (popup === null) {
      show(result, "blocked", "the browser did not open the popup (a popup blocker?).");
      return;
    }
    show(result, "opening", "opening…");
    watch(popup, id, result);
  });
});

// Shows whether the page that opened this popup can still reach it, and
// tells the server, for the popups page (which cannot ask this page: when
// COOP cut the link, nothing passes between the two windows).
"use strict";

const opener = window.opener === null ? "null" : "live";
document.getElementById("opener-state").textContent =
  opener === "null"
    ? "null: this page has no handle on the page that opened it."
    : "a live handle on the page that opened this one.";

const popupId = new URLSearchParams(location.search).get("popup");
if (popupId) {
  navigator.sendBeacon(
    `/popups/${encodeURIComponent(popupId)}`,
    new URLSearchParams({ opener }),
  );
}

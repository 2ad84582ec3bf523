// Shows whether the page that opened this popup can still reach it.
"use strict";

document.getElementById("opener-state").textContent =
  window.opener === null
    ? "null: this page has no handle on the page that opened it."
    : "a live handle on the page that opened this one.";

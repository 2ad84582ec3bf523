// Opens popups with window.open (which, unlike a target="_blank" link,
// leaves the popup a window.opener) and shows what became of each handle.
"use strict";

document.querySelectorAll("button[data-popup]").forEach((button) => {
  button.addEventListener("click", () => {
    const popup = window.open(button.dataset.popup, "_blank");
    const result = button.parentElement.querySelector(".handle");
    setTimeout(() => {
      result.textContent =
        popup === null || popup.closed
          ? "this page's handle on the popup says it is closed: the link is cut."
          : "this page still holds a live handle on the popup.";
    }, 1000);
  });
});

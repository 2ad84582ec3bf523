// Shared by every page: marks checks that ran, and lists what the browser's
// policies blocked or reported (the "securitypolicyviolation" events).
"use strict";

window.demo = {
  // Called by the scripts under test: <li data-check="name"> becomes "ran".
  ran(name) {
    const check = document.querySelector(`[data-check="${name}"]`);
    if (check) {
      check.dataset.state = "ran";
      check.querySelector(".state").textContent = "ran";
    }
  },
};

const violations = [];

function showViolation(event) {
  const list = document.getElementById("violations");
  if (!list) {
    return;
  }
  document.getElementById("violations-box").hidden = false;
  const item = document.createElement("li");
  const what = event.disposition === "report" ? "reported" : "blocked";
  const blocked = event.blockedURI || "(nothing loaded)";
  const sample = event.sample ? ` "${event.sample}"` : "";
  item.textContent = `${what} by ${event.effectiveDirective}: ${blocked}${sample}`;
  list.append(item);
}

document.addEventListener("securitypolicyviolation", (event) => {
  if (document.readyState === "loading") {
    violations.push(event);
  } else {
    showViolation(event);
  }
});
document.addEventListener("DOMContentLoaded", () => {
  violations.splice(0).forEach(showViolation);
});

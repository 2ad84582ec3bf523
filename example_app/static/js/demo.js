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

// An element as its start tag says it: <img id="handler-image">.
function describeElement(element) {
  const id = element.id ? ` id="${element.id}"` : "";
  return `<${element.localName}${id}>`;
}

// What was blocked. For inline code the address is only "inline", so say
// where the code was: the element it belongs to (the event is fired at it),
// or the page itself for a javascript: URL, with its line when known.
function describeBlocked(event) {
  const blocked = event.blockedURI || "(nothing loaded)";
  if (blocked !== "inline") {
    return blocked;
  }
  const target = event.target;
  let where;
  if (event.effectiveDirective.endsWith("-attr")) {
    where =
      target instanceof Element
        ? `an event handler attribute of ${describeElement(target)}`
        : "an event handler attribute";
  } else if (target instanceof Element) {
    where = `the inline ${describeElement(target)}`;
  } else {
    where = "inline code of the page itself, such as a javascript: URL";
  }
  const line = event.lineNumber > 1 ? `, line ${event.lineNumber}` : "";
  return `${where}${line}`;
}

function showViolation(event) {
  const list = document.getElementById("violations");
  if (!list) {
    return;
  }
  document.getElementById("violations-box").hidden = false;
  const item = document.createElement("li");
  const what = event.disposition === "report" ? "reported" : "blocked";
  const sample = event.sample ? ` "${event.sample}"` : "";
  item.textContent = `${what} by ${event.effectiveDirective}: ${describeBlocked(event)}${sample}`;
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

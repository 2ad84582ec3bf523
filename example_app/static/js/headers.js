// Fills each header panel (an element with data-headers) with the security
// headers of a response: by default this page's own address, fetched again,
// or the address in data-headers. A script cannot read the headers of the
// response that brought it, so it asks for the page once more; that second
// response carries the same headers, except for its nonce, which is new on
// every response: the panel shows it as 'nonce-…'.
//
// Header values come from the server and are shown with textContent only,
// never as HTML.
"use strict";

// The names the panel lists, in this order; any other header is left out.
const SECURITY_HEADERS = [
  "Content-Security-Policy",
  "Content-Security-Policy-Report-Only",
  "Strict-Transport-Security",
  "X-Frame-Options",
  "Referrer-Policy",
  "Permissions-Policy",
  "Feature-Policy",
  "Document-Policy",
  "Document-Policy-Report-Only",
  "Integrity-Policy",
  "Integrity-Policy-Report-Only",
  "Cross-Origin-Opener-Policy",
  "Cross-Origin-Opener-Policy-Report-Only",
  "Cross-Origin-Embedder-Policy",
  "Cross-Origin-Embedder-Policy-Report-Only",
  "Cross-Origin-Resource-Policy",
  "Origin-Agent-Cluster",
  "Reporting-Endpoints",
  "Report-To",
  "NEL",
  "Cache-Control",
  "Clear-Site-Data",
  "X-Content-Type-Options",
  "X-DNS-Prefetch-Control",
  "X-Permitted-Cross-Domain-Policies",
  "X-Download-Options",
  "X-XSS-Protection",
];
const NONCE_SOURCE = /'nonce-[^']*'/g;
const NONCE_PLACEHOLDER = "'nonce-…'";

// Where a long value may wrap. Each word (a run of characters without
// spaces) is kept whole on its line if it fits; a word longer than the line
// breaks only after "=", ",", ";" or a "/" of an address, and a quoted
// string in it ("https://...") is again kept whole if it fits. The text is
// the header value unchanged: the pieces are spans and <wbr> elements.
const QUOTED = /("[^"]*")/;
const BREAK_AFTER = /([=,;]|\/(?!\/))/;

function appendBreakable(parent, text) {
  text.split(BREAK_AFTER).forEach((piece, index) => {
    if (piece) {
      parent.append(piece);
      if (index % 2 === 1) {
        parent.append(document.createElement("wbr"));
      }
    }
  });
}

function appendWord(parent, word) {
  const span = document.createElement("span");
  span.className = "word";
  word.split(QUOTED).forEach((piece, index) => {
    if (index % 2 === 1) {
      const quoted = document.createElement("span");
      quoted.className = "quoted";
      appendBreakable(quoted, piece);
      span.append(quoted);
    } else if (piece) {
      appendBreakable(span, piece);
    }
  });
  parent.append(span);
}

function appendWords(parent, text) {
  text.split(/(\s+)/).forEach((piece, index) => {
    if (index % 2 === 1) {
      parent.append(piece);
    } else if (piece) {
      appendWord(parent, piece);
    }
  });
}

function addHeader(list, name, value) {
  const term = document.createElement("dt");
  term.textContent = name;
  const description = document.createElement("dd");
  const text = value.replace(NONCE_SOURCE, NONCE_PLACEHOLDER);
  if (name.startsWith("Content-Security-Policy")) {
    // A policy is a list of directives: one line each.
    for (const directive of text.match(/[^;]+;?\s*|;\s*/g) || []) {
      const line = document.createElement("span");
      line.className = "directive";
      appendWords(line, directive);
      description.append(line);
    }
  } else {
    appendWords(description, text);
  }
  list.append(term, description);
}

async function fillPanel(panel) {
  const list = panel.querySelector(".headers");
  const status = panel.querySelector(".headers-status");
  const address = new URL(panel.dataset.headers || location.href, location.href);
  let response;
  try {
    response = await fetch(address, { method: "GET", cache: "no-store" });
  } catch (error) {
    status.textContent = `Could not read the headers of ${address.pathname}: ${error}`;
    status.hidden = false;
    return;
  }
  let found = 0;
  let nonced = false;
  for (const name of SECURITY_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) {
      addHeader(list, name, value);
      found += 1;
      nonced ||= value.includes("'nonce-");
    }
  }
  // A panel with a place for it shows the body too (the JSON of an API).
  const body = panel.querySelector(".headers-body");
  if (body) {
    body.replaceChildren();
    appendWords(body, await response.text());
  }
  panel.dataset.state = "filled";
  const nonce = nonced
    ? ` Every response gets a new nonce, so it is shown as ${NONCE_PLACEHOLDER}.`
    : "";
  status.textContent =
    `${found} security header${found === 1 ? "" : "s"}, read from a new ` +
    `${response.status} response to ${address.pathname}.${nonce}`;
  status.hidden = false;
}

document.querySelectorAll("[data-headers]").forEach(fillPanel);

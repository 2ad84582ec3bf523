// Loaded by a <script> tag that carries the request's nonce, so the strict
// policy lets it run. With 'strict-dynamic' the scripts it adds itself run
// too; scripts in the HTML that lack the nonce do not.
"use strict";

const here = document.currentScript.src;
window.demo.ran("loader");

// A script added with createElement: allowed by 'strict-dynamic'.
const added = document.createElement("script");
added.src = new URL("strict-added.js", here).href;
document.head.append(added);

// A script written into the HTML with document.write is "parser-inserted":
// 'strict-dynamic' does not cover it, and it has no nonce, so it is blocked.
const written = new URL("strict-written.js", here).href;
document.write(`<script src="${written}"></script>`);

// A string assigned to innerHTML: the report-only Trusted Types policy
// (require-trusted-types-for 'script') reports it, but lets it happen.
document.getElementById("tt-target").innerHTML =
  "<em>Written with innerHTML</em>: reported, not blocked.";

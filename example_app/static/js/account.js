// Counts visits in localStorage, which Clear-Site-Data: "storage" empties.
"use strict";

const visits = Number(localStorage.getItem("example-visits") || 0) + 1;
localStorage.setItem("example-visits", String(visits));
document.getElementById("visits").textContent = String(visits);

// A script file from the app's own origin.
"use strict";
window.demo.ran("external");

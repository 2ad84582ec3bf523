"use strict";
window.demo.ran("created");

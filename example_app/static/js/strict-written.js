"use strict";
window.demo.ran("written");

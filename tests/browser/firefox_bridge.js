// Drives Debian's Firefox ESR for tests/browser/engines.py over WebDriver
// BiDi, through puppeteer-core (which downloads no browser). One JSON
// command per line on stdin, one JSON answer per line on stdout:
//   {"op": "goto", "url": "..."}          -> {"ok": true}
//   {"op": "evaluate", "script": "expr"}  -> {"ok": true, "value": ...}
//   {"op": "click", "selector": "css"}    -> {"ok": true}
//   {"op": "resize", "width": w, "height": h} -> {"ok": true} (the viewport)
//   {"op": "screenshot", "path": "x.png"} -> {"ok": true} (the whole page)
//   {"op": "close"}                       -> {"ok": true}, then exit
// An error is {"ok": false, "error": "message"}.
const readline = require("readline");
const puppeteer = require(process.env.PUPPETEER_CORE);

(async () => {
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX,
    headless: true,
    acceptInsecureCerts: true, // the tests' throw-away certificate
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(20000);
  const lines = readline.createInterface({ input: process.stdin });
  const answer = (value) => process.stdout.write(JSON.stringify(value) + "\n");
  answer({ ok: true, ready: true });
  for await (const line of lines) {
    const command = JSON.parse(line);
    try {
      if (command.op === "goto") {
        await page.goto(command.url, { waitUntil: "load" });
        answer({ ok: true });
      } else if (command.op === "evaluate") {
        answer({ ok: true, value: await page.evaluate(command.script) });
      } else if (command.op === "click") {
        await page.click(command.selector);
        answer({ ok: true });
      } else if (command.op === "resize") {
        await page.setViewport({ width: command.width, height: command.height });
        answer({ ok: true });
      } else if (command.op === "screenshot") {
        await page.screenshot({ path: command.path, fullPage: true });
        answer({ ok: true });
      } else if (command.op === "close") {
        await browser.close();
        answer({ ok: true });
        process.exit(0);
      } else {
        answer({ ok: false, error: `unknown op ${command.op}` });
      }
    } catch (error) {
      answer({ ok: false, error: String(error) });
    }
  }
  await browser.close();
})().catch((error) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(error) }) + "\n");
  process.exit(1);
});

// speedscope-open: opens a speedscope JSON file in speedscope's own page,
// the build the npm speedscope package ships (dist/release), served with
// the file from a local HTTP server and loaded the way a hosted speedscope
// loads a link (#profileURL=...), in headless Chromium (Debian's, through
// playwright-core). Reads back what the page shows, for each profile
// (thread) in turn (key n):
//   - Left Heavy view: the top-left frame of the flame chart, the heaviest
//     root, from the tooltip the chart shows when the mouse is over it;
//   - Sandwich view: the first rows of its table of functions, sorted by
//     total (the Total column clicked).
// usage: node speedscope-open.mjs FILE.json CHROMIUM [--rows N]
//        [--timeout SECONDS] [--screenshot PNG]
// Prints, tab-separated:
//   profile    I/N    NAME
//   left-heavy NAME   TOTAL (PERCENT)    FILE:LINE
//   sandwich   NAME   TOTAL (PERCENT)    SELF (PERCENT)
// (--rows sandwich lines a profile, default 5, at most the ~35 rows the
// table draws in its 800 px high window)
// and exits 0; exits 1 with the page's own message when speedscope cannot
// load the file ("Something went wrong" and the importer's error, or
// "Unrecognized format!") or does not show it within the timeout (default
// 30 s); 2 when chromium or the speedscope package is missing.
// --screenshot saves the first profile's Left Heavy view.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { launch, serve } from "./common.mjs";

const prog = "speedscope-open";
const here = dirname(fileURLToPath(import.meta.url));
const release = join(here, "node_modules", "speedscope", "dist", "release");
const usage = `usage: node ${prog}.mjs FILE.json CHROMIUM [--rows N] ` +
	"[--timeout SECONDS] [--screenshot PNG]";

const pos = [], opts = { rows: 5, timeout: 30, screenshot: null };
for (let a = process.argv.slice(2); a.length;) {
	const arg = a.shift();
	if (arg === "--rows" || arg === "--timeout")
		opts[arg.slice(2)] = Number(a.shift());
	else if (arg === "--screenshot")
		opts.screenshot = a.shift();
	else
		pos.push(arg);
}
if (pos.length !== 2 || !(opts.rows > 0) || !(opts.timeout > 0)) {
	console.error(usage);
	process.exit(2);
}
const [file, chromiumPath] = pos;
if (!existsSync(chromiumPath)) {
	console.error(`${prog}: ${chromiumPath} is missing: ` +
		      "run scripts/deps --browser");
	process.exit(2);
}
if (!existsSync(join(release, "index.html"))) {
	console.error(`${prog}: speedscope's page (${release}) is missing: ` +
		      "run (cd tests/browser && npm ci)");
	process.exit(2);
}
let profile;
try {
	profile = readFileSync(file);
} catch (e) {
	console.error(`${prog}: cannot read '${file}': ${e.message}`);
	process.exit(2);
}

const types = { ".html": "text/html", ".js": "text/javascript",
		".css": "text/css", ".json": "application/json",
		".wasm": "application/wasm", ".png": "image/png",
		".woff2": "font/woff2" };
const { server, base } = await serve((path) => {
	path = normalize(path);
	return [path === "/profile.json" ? profile :
		readFileSync(join(release, path)),
		types[extname(path)] ?? "application/octet-stream"];
});
const dir = mkdtempSync(join(tmpdir(), "speedscope-open-"));

// Ends the run: once finish() has begun, the page's calls still pending
// fail as chromium closes, and are ignored; any other error ends the run
// with its message.
let closing = false;
process.on("uncaughtException", (e) => {
	if (!closing)
		finish(1, e.message.split("\n")[0]);
});
async function finish(status, msg) {
	if (closing)
		return new Promise(() => {});	/* the first finish() exits */
	closing = true;
	if (msg)
		console.error(`${prog}: ${file}: ${msg}`);
	// a page stuck in a loop may not close: exiting ends chromium then
	if (browser)
		await Promise.race([browser.close(),
				    new Promise((ok) => setTimeout(ok, 3000))]);
	server.close();
	try {
		rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
	} catch {
		// chromium still writing its profile: a stray temporary dir
	}
	process.exit(status);
}
// what the page reports: the importer logs "Failed to load format ERROR",
// an unknown format is an alert
const problems = [];
const timer = setTimeout(() => finish(1, `speedscope did not show the ` +
	`profile within ${opts.timeout} s${problems.length ?
	": " + problems.join("; ") : " (the page hangs)"}`), opts.timeout * 1000);
let browser = null;	/* set once launched: the timer may fire before */
browser = await launch(chromiumPath, dir, { width: 1200, height: 800 });
const page = await browser.newPage();
page.on("dialog", (d) => {
	problems.push(`alert: ${d.message()}`);
	d.dismiss();
});
page.on("console", (m) => {
	if (m.text().startsWith("Failed to load format"))
		problems.push(m.text().split("\n")[0]);
});
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
await page.goto(`${base}/index.html#profileURL=` +
		encodeURIComponent(`${base}/profile.json`));

// loaded (the view buttons are there), failed, or an alert
for (;;) {
	const text = await page.evaluate(() => document.body.innerText);
	if (text.includes("Left Heavy"))
		break;
	if (text.includes("Something went wrong") ||
	    problems.some((p) => p.startsWith("alert"))) {
		// the importer's error, logged just before
		if (!problems.length)
			await page.waitForTimeout(500);
		await finish(1, `speedscope cannot load it: ${problems.join("; ") ||
			   "Something went wrong"}`);
	}
	await page.waitForTimeout(100);
}

// The tooltip the flame chart shows for the frame under the mouse:
// <div style="left..; top.."><div><span>TOTAL (PCT)</span> NAME
// <div>FILE:LINE</div>
async function tooltip() {
	return page.evaluate(() => {
		for (const s of document.querySelectorAll(
			"div[style*='top'] > div > span:first-child")) {
			const box = s.parentElement;
			const name = [...box.childNodes].filter((n) => n.nodeType === 3)
				.map((n) => n.textContent).join("").trim();
			const where = box.querySelector("div");
			return [name, s.textContent, where ? where.textContent : ""];
		}
		return null;
	});
}

// the top-left frame of the Left Heavy chart: down the chart's left edge
// from its top until the mouse is over a frame
async function leftHeavyTop() {
	await page.keyboard.press("2");
	const boxes = [];
	for (const c of await page.locator("canvas").all()) {
		const b = await c.boundingBox();
		if (b && b.y > 0)
			boxes.push(b);
	}
	const chart = boxes.sort((a, b) => b.height - a.height)[0];
	for (let y = chart.y + 1; y < chart.y + 200; y += 5) {
		await page.mouse.move(chart.x + 2, y);
		const t = await tooltip();
		if (t)
			return t;
	}
	return null;
}

// the Sandwich table's first rows, once drawn (it comes a frame or more
// after the key on a loaded machine: waited for, up to 5 s)
async function sandwichRows() {
	await page.keyboard.press("3");
	for (let waited = 0; ; waited += 100) {
		const rows = await page.evaluate((n) =>
			[...document.querySelectorAll("tr")]
			.filter((r) => r.cells.length === 3 &&
				r.cells[0].textContent.includes("%"))
			.slice(0, n)
			.map((r) => [r.cells[2].textContent,
				     r.cells[0].textContent,
				     r.cells[1].textContent]), opts.rows);
		if (rows.length || waited >= 5000)
			return rows;
		await page.waitForTimeout(100);
	}
}

const out = [];
let count = 1;
for (let i = 1; i <= count; i++) {
	if (i > 1)
		await page.keyboard.press("n");
	// the toolbar's middle, beside the view buttons: "NAME (I/N)", or
	// NAME alone when there is one profile
	const title = await page.evaluate(() => {
		const button = [...document.querySelectorAll("div")].find((d) =>
			d.textContent.endsWith("Left Heavy") &&
			d.children.length === 1);
		const middle = button.parentElement.nextSibling;
		return middle.nodeType === Node.TEXT_NODE ? middle.textContent :
			middle.firstChild.textContent;
	});
	const m = title.match(/^(.*) \((\d+)\/(\d+)\)$/);
	if (m) {
		count = Number(m[3]);
		if (Number(m[2]) !== i)
			await finish(1, `profile ${m[2]} shown where ${i} was expected`);
	}
	const name = m ? m[1] : title;
	out.push(["profile", `${i}/${count}`, name]);
	const top = await leftHeavyTop();
	if (!top)
		await finish(1, `profile ${i}: no frame under the mouse at the top ` +
		       "left of the Left Heavy flame chart");
	out.push(["left-heavy", ...top]);
	if (i === 1 && opts.screenshot)
		await page.screenshot({ path: opts.screenshot });
	if (i === 1) {
		await page.keyboard.press("3");
		await page.getByText("Total", { exact: true }).click();
	}
	const rows = await sandwichRows();
	if (!rows.length)
		await finish(1, `profile ${i}: the Sandwich view shows no function`);
	for (const r of rows)
		out.push(["sandwich", ...r]);
}
if (problems.length)
	await finish(1, `the page reported: ${problems.join("; ")}`);
clearTimeout(timer);
console.log(out.map((r) => r.join("\t")).join("\n"));
console.error(`${prog}: ${file}: shown, ${count} profiles`);
await finish(0);

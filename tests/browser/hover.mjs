// hover: what a user reads on hovering a frame of a flame graph. Loads SVG
// in headless Chromium (Debian's, through playwright-core) over a local
// HTTP server, moves the mouse onto the widest frame named NAME and prints
// the details line the graph shows. For end-to-end tests of the graphs the
// tools write (tests/e2e/flamerun.sh).
// usage: node hover.mjs SVG NAME CHROMIUM
import { readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, serve } from "./common.mjs";

const [svg, name, chromiumPath] = process.argv.slice(2);
const body = readFileSync(svg);
const { server, base } = await serve(() => [body, "image/svg+xml"]);
const dir = mkdtempSync(join(tmpdir(), "hover-"));
const browser = await launch(chromiumPath, dir);
let status = 0;
try {
	const page = await browser.newPage();
	await page.goto(`${base}/g.svg`);
	await page.waitForFunction(() => typeof flamesvg_frames === "object");
	// all of a deep graph in view, so that any frame can be hovered
	const height = await page.evaluate(() => flamesvg_config.height);
	await page.setViewportSize({ width: 1200,
				     height: Math.max(1000, height + 20) });
	// the widest frame of that name: its place from the graph's own data
	const f = await page.evaluate((want) => {
		const C = flamesvg_config, d = flamesvg_frames;
		const step = C.diff ? 6 : 5, o = C.diff ? 1 : 0;
		let best = null;
		for (let k = 0; k < d.length; k += step)
			if (d[k] === want && (!best || d[k + 3 + o] > best.w))
				best = { x: d[k + 2 + o], w: d[k + 3 + o],
					 depth: d[k + 4 + o] };
		return best && { ...best, ybase: C.ybase,
				 h: C.frameheight, inverted: C.inverted };
	}, name);
	if (!f) {
		console.error(`hover: no frame named '${name}' in ${svg}`);
		status = 1;
	} else {
		const w = Number(await page.locator("#frames").getAttribute("width"));
		const y = f.inverted ? f.ybase + f.depth * f.h : f.ybase - f.depth * f.h;
		await page.mouse.move(10 + (f.x + f.w / 2) * w, y + 7);
		console.log(await page.locator("#details").textContent());
	}
} finally {
	await browser.close();
	server.close();
	rmSync(dir, { recursive: true, force: true });
}
process.exit(status);

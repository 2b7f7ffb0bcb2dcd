// What the browser tests and readers share: headless Chromium (Debian's,
// through playwright-core) in a fresh profile, a local HTTP server, and the
// ok / not ok lines of a test file.
import { createServer } from "node:http";
import { join } from "node:path";
import { chromium } from "playwright-core";

// Chromium with a fresh profile in DIR/profile (playwright passes it as
// --user-data-dir), nothing fetched from outside.
export function launch(chromiumPath, dir, viewport = { width: 1200, height: 1000 }) {
	return chromium.launchPersistentContext(join(dir, "profile"), {
		executablePath: chromiumPath,
		headless: true,
		viewport,
		args: ["--headless", "--no-sandbox", "--disable-gpu",
		       "--disable-quic", "--no-first-run",
		       "--disable-background-networking",
		       "--disable-component-update", "--disable-sync"],
	});
}

// An HTTP server on 127.0.0.1 answering each path with lookup(path), which
// returns [body, content type] or throws for a 404. Resolves to the server
// and its base URL.
export async function serve(lookup) {
	const server = createServer((req, res) => {
		const path = new URL(req.url, "http://localhost").pathname;
		try {
			const [body, type] = lookup(path);
			res.writeHead(200, { "Content-Type": type });
			res.end(body);
		} catch {
			res.writeHead(404);
			res.end();
		}
	});
	await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
	return { server, base: `http://127.0.0.1:${server.address().port}` };
}

// test(title, fn) prints "ok - title" or "not ok - title" and the error;
// failures counts the latter.
export let failures = 0;
export async function test(title, fn) {
	try {
		await fn();
		console.log("ok - " + title);
	} catch (e) {
		failures++;
		console.log("not ok - " + title + "\n" + e.stack);
	}
}

// Tests of the speedscope readers, run as their callers run them (node
// speedscope-validate.mjs, node speedscope-open.mjs): on speedscope files
// written by hand in tests/data (two sampled threads, one evented profile)
// and on broken ones (a frame index past the end, frames outside
// `shared`), and on variants made here (truncated JSON, a missing
// endValue, on which speedscope's page hangs, as many weights as samples
// less one, events out of nesting). What the page shows is speedscope's
// own formatting of the pinned version (package.json).
// usage: node speedscope.test.mjs DATA_DIR CHROMIUM
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { failures, test } from "./common.mjs";

const [data, chromiumPath] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "speedscope-test-"));
const threads = join(data, "speedscope-threads.json");
const evented = join(data, "speedscope-evented.json");

function node(script, args) {
	return new Promise((ok) => execFile(process.execPath,
		[join(here, script), ...args], (err, stdout, stderr) =>
			ok({ status: err ? err.code : 0, stdout, stderr })));
}
const validate = (...args) => node("speedscope-validate.mjs", args);
const open = (file, ...args) =>
	node("speedscope-open.mjs", [file, chromiumPath, ...args]);

// Each [FILE, MESSAGE] must make reader exit 1 with MESSAGE in its errors
// and nothing on stdout.
async function rejects(reader, cases) {
	for (const [file, want] of cases) {
		const r = await reader(file);
		assert.equal(r.status, 1, `${file}: ${r.stdout}${r.stderr}`);
		assert.ok(r.stderr.includes(want),
			  `${file}: want '${want}' in:\n${r.stderr}`);
		assert.equal(r.stdout, "");
	}
}

// a variant of a file in data/, changed by fn on its parsed JSON
function variant(name, from, fn) {
	const json = JSON.parse(readFileSync(from, "utf8"));
	fn(json);
	const path = join(dir, name + ".json");
	writeFileSync(path, JSON.stringify(json));
	return path;
}

await test("validate: two sampled threads", async () => {
	const r = await validate("--profiles", threads);
	assert.equal(r.status, 0, r.stderr);
	assert.equal(r.stdout,
		`speedscope-validate: ${threads}: valid: 2 profiles (2 sampled, ` +
		"0 evented), 6 frames, 7 samples\n" +
		"python3.12 (pid 4242, tid 4242)\tsampled\tnanoseconds\t4 samples\tweight 11000000\n" +
		"worker (pid 4242, tid 4250)\tsampled\tnanoseconds\t3 samples\tweight 6000000\n");
});

await test("validate --folded: the stacks, summed and sorted", async () => {
	const r = await validate("--folded", threads);
	assert.equal(r.status, 0, r.stderr);
	assert.equal(r.stdout,
		"python3.12 (pid 4242, tid 4242);main;sleep 1000000\n" +
		"python3.12 (pid 4242, tid 4242);main;work;crc32_z 5000000\n" +
		"python3.12 (pid 4242, tid 4242);main;work;parse 5000000\n" +
		"worker (pid 4242, tid 4250);worker_loop;crc32_z 4000000\n" +
		"worker (pid 4242, tid 4250);worker_loop;work;crc32_z 2000000\n");
});

await test("validate: an evented profile", async () => {
	const r = await validate(evented);
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /valid: 1 profiles \(0 sampled, 1 evented\), 4 frames, 0 samples\n$/);
});

await test("validate: errors from the schema and beyond it", async () => {
	const cases = [
		[join(data, "speedscope-broken-frame.json"),
		 "samples/1: frame 6 is not in shared.frames (6)"],
		[join(data, "speedscope-broken-schema.json"),
		 "schema: / must have required property 'shared'"],
		[variant("noend", threads, (j) => delete j.profiles[0].endValue),
		 "schema: /profiles/0 must have required property 'endValue'"],
		[variant("unit", threads, (j) => { j.profiles[0].unit = "ticks"; }),
		 "schema: /profiles/0/unit must be equal to one of the allowed values"],
		[variant("weights", threads, (j) => j.profiles[1].weights.pop()),
		 "3 samples but 2 weights"],
		[variant("negative", threads, (j) => { j.profiles[0].weights[2] = -1; }),
		 "weights/2: -1 is not a finite weight >= 0"],
		[variant("nesting", evented, (j) => { j.profiles[0].events[3].frame = 1; }),
		 "events/3: closes frame 1, which is not the innermost open one"],
		[variant("order", evented, (j) => { j.profiles[0].events[4].at = 0; }),
		 "events/4: at 0 before the previous event's 4"],
		[variant("active", threads, (j) => { j.activeProfileIndex = 2; }),
		 "/activeProfileIndex 2 is not a profile's index (2 profiles)"],
	];
	await rejects(validate, cases);
	const cut = join(dir, "cut.json");
	writeFileSync(cut, readFileSync(threads, "utf8").slice(0, 300));
	const r = await validate(cut);
	assert.equal(r.status, 2);
	assert.match(r.stderr, /^speedscope-validate: cannot read '.*cut.json': /);
});

await test("open: each thread's heaviest root and its functions by total", async () => {
	const png = join(dir, "left-heavy.png");
	const r = await open(threads, "--screenshot", png);
	assert.equal(r.status, 0, r.stderr);
	assert.equal(r.stdout, [
		"profile\t1/2\tpython3.12 (pid 4242, tid 4242)",
		"left-heavy\tmain\t11.00ms (100%)\tapp.py:40",
		"sandwich\tmain\t11.00ms (100%)\t0.00ns (<0.01%)",
		"sandwich\twork\t10.00ms (91%)\t0.00ns (<0.01%)",
		"sandwich\tcrc32_z\t5.00ms (45%)\t5.00ms (45%)",
		"sandwich\tparse\t5.00ms (45%)\t5.00ms (45%)",
		"sandwich\tsleep\t1.00ms (9.1%)\t1.00ms (9.1%)",
		"profile\t2/2\tworker (pid 4242, tid 4250)",
		"left-heavy\tworker_loop\t6.00ms (100%)\tapp.py:25",
		"sandwich\tcrc32_z\t6.00ms (100%)\t6.00ms (100%)",
		"sandwich\tworker_loop\t6.00ms (100%)\t0.00ns (<0.01%)",
		"sandwich\twork\t2.00ms (33%)\t0.00ns (<0.01%)",
	].join("\n") + "\n");
	assert.equal(r.stderr, `speedscope-open: ${threads}: shown, 2 profiles\n`);
	assert.equal(readFileSync(png).subarray(1, 4).toString(), "PNG");
});

await test("open: an evented profile, --rows 2", async () => {
	const r = await open(evented, "--rows", "2");
	assert.equal(r.status, 0, r.stderr);
	assert.equal(r.stdout, [
		"profile\t1/1\tmain thread",
		"left-heavy\tmain\t20.00ms (100%)\tapp.py:40",
		"sandwich\tmain\t20.00ms (100%)\t4.00ms (20%)",
		"sandwich\tload\t16.00ms (80%)\t1.00ms (5.0%)",
	].join("\n") + "\n");
});

await test("open: the page's own errors", async () => {
	const cases = [
		[join(data, "speedscope-broken-frame.json"),
		 "speedscope cannot load it: Failed to load format TypeError"],
		[join(data, "speedscope-broken-schema.json"),
		 "speedscope cannot load it: Failed to load format TypeError: " +
		 "Cannot read properties of undefined (reading 'frames')"],
		[variant("weights", threads, (j) => j.profiles[1].weights.pop()),
		 "Expected samples.length (3) to equal weights.length (2)"],
		[join(dir, "cut.json"),
		 "speedscope cannot load it: alert: Unrecognized format!"],
	];
	await rejects(open, cases);
});

await test("open: a page that hangs fails at the timeout", async () => {
	// without the first profile's endValue speedscope's page loops (1.25.0)
	const r = await open(join(dir, "noend.json"), "--timeout", "10");
	assert.equal(r.status, 1, r.stdout + r.stderr);
	assert.match(r.stderr, /did not show the profile within 10 s/);
});

await test("open: chromium missing", async () => {
	const r = await node("speedscope-open.mjs", [threads, join(dir, "no-chromium")]);
	assert.equal(r.status, 2);
	assert.match(r.stderr, /no-chromium is missing: run scripts\/deps --browser/);
});

rmSync(dir, { recursive: true, force: true });
console.log(failures ? `speedscope: ${failures} failed` : "speedscope: all passed");
process.exit(failures ? 1 : 0);

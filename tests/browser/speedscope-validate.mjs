// speedscope-validate: checks a speedscope JSON file against the file
// format schema the npm speedscope package ships
// (dist/release/file-format-schema.json), with ajv, then checks what the
// schema cannot say and speedscope's importer relies on: frame indices
// within shared.frames (a bad one makes the page fail with "Something went
// wrong"), as many weights as samples (the importer throws otherwise),
// evented profiles' open and close events nested and in time order,
// startValue <= endValue, finite weights >= 0, activeProfileIndex within
// profiles.
//
// usage: node speedscope-validate.mjs [--profiles] [--folded] FILE.json
// Prints one line "speedscope-validate: FILE: valid: P profiles (S sampled,
// E evented), F frames, N samples" and exits 0; or the errors, one a line,
// and exits 1; exits 2 when the file cannot be read or is not JSON.
// --profiles adds a line per profile: NAME<TAB>TYPE<TAB>UNIT<TAB>N
// samples<TAB>weight W (for evented: events and endValue - startValue).
// --folded prints instead the sampled profiles' stacks as folded lines,
// root first, the profile's name as the root frame, summed per stack and
// sorted, to compare with perf2folded's output of the same recording.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";

const prog = "speedscope-validate";
const here = dirname(fileURLToPath(import.meta.url));
const schemaPath = join(here, "node_modules", "speedscope", "dist",
			"release", "file-format-schema.json");
const args = process.argv.slice(2);
const opt = (name) => args.includes(name);
const files = args.filter((a) => !a.startsWith("--"));
if (files.length !== 1 || args.some((a) => a.startsWith("--") &&
		!["--profiles", "--folded"].includes(a))) {
	console.error(`usage: node ${prog}.mjs [--profiles] [--folded] FILE.json`);
	process.exit(2);
}
const file = files[0];

function die(msg) {
	console.error(`${prog}: ${msg}`);
	process.exit(2);
}

let schema, data;
try {
	schema = JSON.parse(readFileSync(schemaPath, "utf8"));
} catch (e) {
	die(`cannot read speedscope's schema (${schemaPath}): ${e.message}; ` +
	    "run (cd tests/browser && npm ci)");
}
try {
	data = JSON.parse(readFileSync(file, "utf8"));
} catch (e) {
	die(`cannot read '${file}': ${e.message}`);
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
const errors = [];
if (!validate(data)) {
	for (const e of validate.errors)
		errors.push(`schema: ${e.instancePath || "/"} ${e.message}` +
			    (e.params && Object.keys(e.params).length ?
			     " " + JSON.stringify(e.params) : ""));
}

// what the schema cannot say, on a file that passed it (a file that did
// not may lack the fields these need)
function beyondSchema(d) {
	const nframes = d.shared.frames.length;
	const frameOk = (f) => Number.isInteger(f) && f >= 0 && f < nframes;
	if (d.activeProfileIndex !== undefined &&
	    !(Number.isInteger(d.activeProfileIndex) &&
	      d.activeProfileIndex >= 0 &&
	      d.activeProfileIndex < d.profiles.length))
		errors.push(`/activeProfileIndex ${d.activeProfileIndex} is not ` +
			    `a profile's index (${d.profiles.length} profiles)`);
	d.profiles.forEach((p, i) => {
		const at = `/profiles/${i} ('${p.name}')`;
		if (!(p.startValue <= p.endValue))
			errors.push(`${at}: startValue ${p.startValue} > ` +
				    `endValue ${p.endValue}`);
		if (p.type === "sampled") {
			if (p.samples.length !== p.weights.length)
				errors.push(`${at}: ${p.samples.length} samples ` +
					    `but ${p.weights.length} weights`);
			p.samples.forEach((s, k) => {
				const bad = s.find((f) => !frameOk(f));
				if (bad !== undefined)
					errors.push(`${at}/samples/${k}: frame ${bad} ` +
						    `is not in shared.frames (${nframes})`);
			});
			p.weights.forEach((w, k) => {
				if (!(Number.isFinite(w) && w >= 0))
					errors.push(`${at}/weights/${k}: ${w} is ` +
						    "not a finite weight >= 0");
			});
		} else {
			const open = [];
			let last = -Infinity;
			p.events.forEach((e, k) => {
				const ek = `${at}/events/${k}`;
				if (!frameOk(e.frame))
					errors.push(`${ek}: frame ${e.frame} is not ` +
						    `in shared.frames (${nframes})`);
				if (e.at < last)
					errors.push(`${ek}: at ${e.at} before the ` +
						    `previous event's ${last}`);
				last = e.at;
				if (e.type === "O")
					open.push(e.frame);
				else if (open.pop() !== e.frame)
					errors.push(`${ek}: closes frame ${e.frame}, ` +
						    "which is not the innermost open one");
			});
			if (open.length)
				errors.push(`${at}: ${open.length} frames never closed`);
		}
	});
}
if (!errors.length)
	beyondSchema(data);

if (errors.length) {
	console.error(`${prog}: ${file}: invalid (${errors.length} ` +
		      `error${errors.length > 1 ? "s" : ""}):`);
	for (const e of errors.slice(0, 50))
		console.error("  " + e);
	if (errors.length > 50)
		console.error(`  ... and ${errors.length - 50} more`);
	process.exit(1);
}

const sampled = data.profiles.filter((p) => p.type === "sampled");
const nsamples = sampled.reduce((n, p) => n + p.samples.length, 0);
if (opt("--folded")) {
	if (sampled.length !== data.profiles.length)
		die(`${file}: --folded reads sampled profiles only, and ` +
		    `${data.profiles.length - sampled.length} are evented`);
	const stacks = new Map();
	for (const p of sampled)
		p.samples.forEach((s, k) => {
			const key = [p.name, ...s.map((f) =>
				data.shared.frames[f].name)].join(";");
			stacks.set(key, (stacks.get(key) ?? 0) + p.weights[k]);
		});
	const keys = [...stacks.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
	process.stdout.write(keys.map((k) => `${k} ${stacks.get(k)}\n`).join(""));
	process.exit(0);
}
console.log(`${prog}: ${file}: valid: ${data.profiles.length} profiles ` +
	    `(${sampled.length} sampled, ` +
	    `${data.profiles.length - sampled.length} evented), ` +
	    `${data.shared.frames.length} frames, ${nsamples} samples`);
if (opt("--profiles"))
	for (const p of data.profiles) {
		const sum = p.type === "sampled" ?
			p.weights.reduce((a, b) => a + b, 0) :
			p.endValue - p.startValue;
		const n = p.type === "sampled" ? `${p.samples.length} samples` :
			`${p.events.length} events`;
		console.log(`${p.name}\t${p.type}\t${p.unit}\t${n}\tweight ${sum}`);
	}

// flamesvg: interaction for a flame graph written by flamesvg.
//
// Frames are <g><title>NAME\nCOUNT ...</title><rect/><text/></g> in
// depth-first pre-order inside <svg id="frames">, so the subtree of frame i
// is i+1 .. end[i]-1. Everything about a frame is read once at load into
// arrays; zooming and searching then work on the arrays and write to the
// DOM only what changed. Labels are fitted arithmetically (characters of
// an average width), never by measuring text nodes.
"use strict";

var flamesvg = (function () {
	var C = flamesvg_config;
	var svg, frames, details, matched, unzoom, searchbtn, icbtn;
	var n = 0, gs, rects, texts, names, xs, count, x0, w0, depth, end;
	var parent, cx, cw, label, hidden, dim, hit;
	var zoomed = -1, re = null, pattern = "", ignorecase = false;
	var framesw = C.framesw;

	function init() {
		svg = document.documentElement;
		frames = document.getElementById("frames");
		details = document.getElementById("details").firstChild;
		matched = document.getElementById("matched").firstChild;
		unzoom = document.getElementById("unzoom");
		searchbtn = document.getElementById("search");
		icbtn = document.getElementById("ignorecase");
		read_frames();
		frames.addEventListener("click", on_click);
		frames.addEventListener("mouseover", on_over);
		frames.addEventListener("mouseout", function () {
			details.nodeValue = " ";
		});
		unzoom.addEventListener("click", function () { zoom(-1); });
		searchbtn.addEventListener("click", ask_search);
		icbtn.addEventListener("click", function () {
			ignorecase = !ignorecase;
			search(pattern);
		});
		window.addEventListener("keydown", on_key);
		if (C.fluid)
			window.addEventListener("resize", fit_width);
		restore_state();
	}

	function read_frames() {
		var stack = [], i, g, r, t, y, nl;

		gs = frames.children;
		n = gs.length;
		rects = new Array(n); texts = new Array(n);
		names = new Array(n); xs = new Array(n); label = new Array(n);
		count = new Float64Array(n); x0 = new Float64Array(n);
		w0 = new Float64Array(n); depth = new Int32Array(n);
		end = new Int32Array(n); parent = new Int32Array(n);
		cx = new Float64Array(n); cw = new Float64Array(n);
		hidden = new Uint8Array(n); dim = new Uint8Array(n);
		hit = new Uint8Array(n);
		var scale = C.fluid ? 100 : C.framesw;
		for (i = 0; i < n; i++) {
			g = gs[i];
			t = g.firstChild.textContent;
			nl = t.indexOf("\n");
			names[i] = t.slice(0, nl);
			count[i] = parseFloat(t.slice(nl + 1).replace(/,/g, ""));
			r = g.children[1];
			texts[i] = g.children[2];
			rects[i] = r;
			xs[i] = r.getAttribute("x").replace("%", "");
			x0[i] = cx[i] = parseFloat(xs[i]) / scale;
			w0[i] = cw[i] = parseFloat(r.getAttribute("width")) / scale;
			label[i] = texts[i].textContent;
			y = parseFloat(r.getAttribute("y"));
			depth[i] = Math.round((C.inverted ? y - C.ybase : C.ybase - y) /
					      C.frameheight);
			while (stack.length && depth[stack[stack.length - 1]] >= depth[i])
				end[stack.pop()] = i;
			parent[i] = stack.length ? stack[stack.length - 1] : -1;
			stack.push(i);
		}
		while (stack.length)
			end[stack.pop()] = n;
	}

	function frame_of(e) {
		var el = e.target;

		while (el && el.parentNode !== frames)
			el = el.parentNode;
		return el ? Array.prototype.indexOf.call(gs, el) : -1;
	}

	function fit_label(i, px) {
		var fit = Math.floor((px - 6) / (C.fontsize * C.charwidth));
		var s = names[i];

		if (fit < 3)
			return "";
		if (s.length <= fit)
			return s;
		if (C.truncleft)
			return ".." + s.slice(s.length - fit + 2);
		return s.slice(0, fit - 2) + "..";
	}

	function fit_width() {
		var w = svg.getBoundingClientRect().width - 2 * frames.x.baseVal.value;

		if (w > 0 && w !== framesw) {
			framesw = w;
			frames.setAttribute("width", w);
			draw();
		}
	}

	// Place every frame for the current zoom; touch the DOM only where the
	// position, label, visibility or dimming changed.
	function draw() {
		var zx = 0, zw = 1, lo = 0, hi = n, i, a, nx, nw, s, v, unit;
		var isanc = new Uint8Array(n);

		if (zoomed >= 0) {
			zx = x0[zoomed]; zw = w0[zoomed];
			lo = zoomed; hi = end[zoomed];
			for (a = parent[zoomed]; a >= 0; a = parent[a])
				isanc[a] = 1;
		}
		unit = C.fluid ? 100 : framesw;
		for (i = 0; i < n; i++) {
			if (i >= lo && i < hi) {
				nx = (x0[i] - zx) / zw; nw = w0[i] / zw;
			} else if (isanc[i]) {
				nx = 0; nw = 1;
			} else {
				if (!hidden[i]) {
					gs[i].style.display = "none";
					hidden[i] = 1;
				}
				continue;
			}
			if (hidden[i]) {
				gs[i].style.display = "";
				hidden[i] = 0;
			}
			if (dim[i] !== isanc[i]) {
				dim[i] = isanc[i];
				if (dim[i])
					gs[i].classList.add("a");
				else
					gs[i].classList.remove("a");
			}
			if (nx !== cx[i] || nw !== cw[i]) {
				cx[i] = nx; cw[i] = nw;
				v = C.fluid ? nx * unit + "%" : String(nx * unit);
				rects[i].setAttribute("x", v);
				texts[i].setAttribute("x", v);
				rects[i].setAttribute("width",
						      C.fluid ? nw * unit + "%" : nw * unit);
			}
			s = fit_label(i, nw * framesw);
			if (s !== label[i]) {
				label[i] = s;
				texts[i].textContent = s;
			}
		}
	}

	function zoom(i) {
		zoomed = i;
		if (i >= 0)
			unzoom.classList.remove("hide");
		else
			unzoom.classList.add("hide");
		draw();
		save_state();
	}

	function on_click(e) {
		var i = frame_of(e);

		if (i >= 0)
			zoom(i === zoomed || i === 0 ? -1 : i);
	}

	function pct(v, of) {
		return (of > 0 ? 100 * v / of : 0).toFixed(2) + "%";
	}

	function on_over(e) {
		var i = frame_of(e), t, s;

		if (i < 0)
			return;
		t = gs[i].firstChild.textContent.split("\n");
		s = C.nametype + " " + names[i] + " (" + t.slice(1).join("; ");
		if (zoomed > 0 && i >= zoomed && i < end[zoomed])
			s += "; " + pct(count[i], count[zoomed]) + " of zoomed";
		details.nodeValue = s + ")";
	}

	function ask_search() {
		if (pattern) {
			search("");
			return;
		}
		var s = window.prompt("Search (regular expression)", "");

		if (s !== null)
			search(s);
	}

	function on_key(e) {
		if (e.key === "F3" || ((e.ctrlKey || e.metaKey) && e.key === "f")) {
			e.preventDefault();
			var s = window.prompt("Search (regular expression)", pattern);

			if (s !== null)
				search(s);
		} else if (e.key === "Escape") {
			search("");
		}
	}

	// Highlight frames matching the regular expression s; "Matched" is the
	// share of all counts under a match, nested matches counted once.
	function search(s) {
		var i, sum = 0;

		pattern = s;
		if (ignorecase)
			icbtn.classList.add("on");
		else
			icbtn.classList.remove("on");
		re = null;
		if (s) {
			try {
				re = new RegExp(s, ignorecase ? "i" : "");
			} catch (err) {
				matched.nodeValue = "invalid regex";
				re = null;
			}
		}
		for (i = 0; i < n; i++) {
			var m = re !== null && re.test(names[i]) ? 1 : 0;

			if (m !== hit[i]) {
				hit[i] = m;
				if (m)
					gs[i].classList.add("m");
				else
					gs[i].classList.remove("m");
			}
		}
		if (re === null) {
			if (!s)
				matched.nodeValue = " ";
			searchbtn.classList.remove("on");
			searchbtn.firstChild.nodeValue = "Search";
			save_state();
			return;
		}
		for (i = 0; i < n;) {
			if (hit[i]) {
				sum += w0[i];
				i = end[i];
			} else {
				i++;
			}
		}
		searchbtn.classList.add("on");
		searchbtn.firstChild.nodeValue = "Reset Search";
		matched.nodeValue = "Matched: " + (100 * sum).toFixed(1) + "%";
		save_state();
	}

	function save_state() {
		var p = new URLSearchParams(window.location.search);

		["x", "y", "s", "i"].forEach(function (k) { p.delete(k); });
		if (zoomed > 0) {
			p.set("x", xs[zoomed]);
			p.set("y", depth[zoomed]);
		}
		if (pattern) {
			p.set("s", pattern);
			if (ignorecase)
				p.set("i", "1");
		}
		var q = p.toString();

		try {
			history.replaceState(null, "", window.location.pathname +
					     (q ? "?" + q : "") + window.location.hash);
		} catch (err) {
			// a file: URL may refuse; the view still works
		}
	}

	function restore_state() {
		var p = new URLSearchParams(window.location.search), i, y;

		if (C.fluid)
			fit_width();
		ignorecase = p.get("i") === "1";
		if (p.has("x") && p.has("y")) {
			y = parseInt(p.get("y"), 10);
			for (i = 1; i < n; i++) {
				if (depth[i] === y && xs[i] === p.get("x")) {
					zoom(i);
					break;
				}
			}
		}
		if (p.get("s"))
			search(p.get("s"));
	}

	return {
		init: init, zoom: zoom, search: search,
		zoomed: function () { return zoomed; },
	};
})();

function flamesvg_init() {
	flamesvg.init();
}

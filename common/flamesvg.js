// flamesvg: interaction for a flame graph written by flamesvg.
//
// <g id="rects"> holds one <rect> per frame in depth-first pre-order, so the
// subtree of frame i is i+1 .. end[i]-1; <g id="labels"> holds the visible
// labels; flamesvg_frames lists name, count (and before, in a differential
// graph) of each frame in the same order. Everything about a frame is read
// once at load into arrays.
//
// Zooming must stay fast with 50,000 frames, so it never touches every
// frame: the rects layer gets one transform that maps the zoomed frame onto
// the full width (frames outside it fall outside the viewport, ancestors
// stretch across it), and labels are recomputed only for frames wide enough
// to carry one, skipping the subtree of any narrower frame. Labels are fitted
// arithmetically (characters of an average width), never by measuring text.
"use strict";

var flamesvg = (function () {
	var C = flamesvg_config;
	var svg, frames, rects, labels, details, matched, unzoom, searchbtn, icbtn;
	var n = 0, gs, names, xs, count, before, x0, w0, y0, depth, end, parent;
	var pool = [], hit, dimmed = [];
	var zoomed = -1, re = null, pattern = "", ignorecase = false;
	var state_pending = false;
	var framesw = C.framesw;
	var minlabel = 6 + 3 * C.fontsize * C.charwidth;

	function init() {
		svg = document.documentElement;
		frames = document.getElementById("frames");
		rects = document.getElementById("rects");
		labels = document.getElementById("labels");
		details = document.getElementById("details").firstChild;
		matched = document.getElementById("matched").firstChild;
		unzoom = document.getElementById("unzoom");
		searchbtn = document.getElementById("search");
		icbtn = document.getElementById("ignorecase");
		read_frames();
		rects.addEventListener("click", on_click);
		rects.addEventListener("mousemove", on_over);
		rects.addEventListener("mouseout", function () {
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
		var stack = [], i, r, scale = C.fluid ? 100 : C.framesw;
		var data = flamesvg_frames, step = C.diff ? 3 : 2;

		gs = Array.prototype.slice.call(rects.children);
		n = gs.length;
		names = new Array(n); xs = new Array(n);
		count = new Float64Array(n); x0 = new Float64Array(n);
		w0 = new Float64Array(n); y0 = new Float64Array(n);
		depth = new Int32Array(n); end = new Int32Array(n);
		parent = new Int32Array(n); hit = new Uint8Array(n);
		before = new Float64Array(n);
		for (i = 0; i < n; i++) {
			names[i] = data[i * step];
			count[i] = data[i * step + 1];
			if (C.diff)
				before[i] = data[i * step + 2];
			r = gs[i];
			xs[i] = r.getAttribute("x").replace("%", "");
			x0[i] = parseFloat(xs[i]) / scale;
			w0[i] = parseFloat(r.getAttribute("width")) / scale;
			y0[i] = parseFloat(r.getAttribute("y"));
			depth[i] = Math.round((C.inverted ? y0[i] - C.ybase :
					       C.ybase - y0[i]) / C.frameheight);
			while (stack.length && depth[stack[stack.length - 1]] >= depth[i])
				end[stack.pop()] = i;
			parent[i] = stack.length ? stack[stack.length - 1] : -1;
			stack.push(i);
		}
		while (stack.length)
			end[stack.pop()] = n;
		for (i = 0; i < labels.children.length; i++)
			pool.push(labels.children[i]);
	}

	function frame_of(e) {
		var el = e.target;

		while (el && el.parentNode !== rects)
			el = el.parentNode;
		return el ? gs.indexOf(el) : -1;
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

	// Label number `used` of the pool shows s at fraction nx, row of frame i.
	function put_label(used, i, nx, s) {
		var t = pool[used], x = C.fluid ? 100 * nx + "%" : String(nx * framesw);
		var y = String(y0[i] + C.texty);

		if (!t) {
			t = document.createElementNS("http://www.w3.org/2000/svg", "text");
			t.appendChild(document.createTextNode(""));
			labels.appendChild(t);
			pool.push(t);
		}
		if (t.getAttribute("x") !== x)
			t.setAttribute("x", x);
		if (t.getAttribute("y") !== y)
			t.setAttribute("y", y);
		if (t.firstChild === null)
			t.appendChild(document.createTextNode(""));
		if (t.firstChild.nodeValue !== s)
			t.firstChild.nodeValue = s;
	}

	function draw() {
		var zx = 0, zw = 1, lo = 0, hi = n, i, a, px, used = 0, s;

		for (i = 0; i < dimmed.length; i++)
			gs[dimmed[i]].classList.remove("a");
		dimmed = [];
		if (zoomed >= 0) {
			zx = x0[zoomed]; zw = w0[zoomed];
			lo = zoomed; hi = end[zoomed];
			for (a = parent[zoomed]; a >= 0; a = parent[a]) {
				gs[a].classList.add("a");
				dimmed.push(a);
				s = fit_label(a, framesw);
				if (s)
					put_label(used++, a, 0, s);
			}
		}
		rects.setAttribute("transform", zoomed < 0 ? "translate(0,0) scale(1,1)" :
				   "translate(" + -zx / zw * framesw + ",0) scale(" +
				   1 / zw + ",1)");
		for (i = lo; i < hi;) {
			px = w0[i] / zw * framesw;
			if (px < minlabel) {
				i = end[i];	// children are narrower still
				continue;
			}
			s = fit_label(i, px);
			if (s)
				put_label(used++, i, (x0[i] - zx) / zw, s);
			i++;
		}
		for (i = used; i < pool.length; i++)
			if (pool[i].firstChild && pool[i].firstChild.nodeValue !== "")
				pool[i].firstChild.nodeValue = "";
	}

	function zoom(i) {
		zoomed = i;
		if (i >= 0)
			unzoom.classList.remove("hide");
		else
			unzoom.classList.add("hide");
		draw();
		// Lay the new view out now, in the click's task: the frame that
		// follows then only paints, which Chromium does sooner than when
		// it finds layout dirty at the frame (about 80 ms instead of 130
		// for 50,000 frames on a busy 2-core machine).
		svg.getBoundingClientRect();
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

	function num(v) {
		return v.toLocaleString("en-US", { maximumFractionDigits: 3 });
	}

	function on_over(e) {
		var i = frame_of(e), s, d;

		if (i < 0)
			return;
		s = C.nametype + " " + names[i] + " (" + num(count[i]) + " " +
		    C.countname + ", " + pct(count[i], C.total);
		if (zoomed > 0 && i >= zoomed && i < end[zoomed])
			s += ", " + pct(count[i], count[zoomed]) + " of zoomed";
		if (C.diff) {
			d = count[i] - before[i];
			s += "; before " + num(before[i]) + ", change " +
			     (d < 0 ? "-" : "+") + num(Math.abs(d));
			if (before[i] > 0)
				s += " (" + (d < 0 ? "-" : "+") +
				     pct(Math.abs(d), before[i]) + ")";
		}
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
		var i, m, sum = 0;

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
				re = null;
			}
		}
		for (i = 0; i < n; i++) {
			m = re !== null && re.test(names[i]) ? 1 : 0;
			if (m !== hit[i]) {
				hit[i] = m;
				if (m)
					gs[i].classList.add("m");
				else
					gs[i].classList.remove("m");
			}
		}
		if (re === null) {
			matched.nodeValue = s ? "invalid regular expression" : " ";
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

	// Replacing the URL costs tens of ms in a large document, so it waits
	// until the browser is idle, after the zoomed view is painted.
	function save_state() {
		if (state_pending)
			return;
		state_pending = true;
		(window.requestIdleCallback || window.setTimeout)(write_state);
	}

	function write_state() {
		var p = new URLSearchParams(window.location.search), q;

		state_pending = false;
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
		q = p.toString();
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

// flamesvg: interaction for a flame graph written by flamesvg.
//
// flamesvg_frames lists every frame in depth-first pre-order: name, count,
// [before,] left edge and width as fractions of the full width, depth. The
// subtree of frame i is therefore i+1 .. end[i]-1, and the frames of one
// depth come in increasing x. The frames are drawn by a few <path>s, one per
// shade, in <svg id="rects">, whose viewBox spans the full width as 0..1.
//
// Zooming must stay fast with 50,000 frames, so it never touches every
// frame: it sets that viewBox to the zoomed frame's range (frames outside it
// fall outside the viewport, ancestors stretch across it) and recomputes
// labels only for frames wide enough to carry one, skipping the subtree of
// any narrower frame. The browser repaints a few paths, not one element per
// frame. Labels are fitted arithmetically (characters of an average width),
// never by measuring text. Pointing finds the frame by its row and a binary
// search of that row.
"use strict";

var flamesvg = (function () {
	var C = flamesvg_config;
	var svg, frames, rects, labels, overlay, matches, details, matched, unzoom;
	var searchbtn, icbtn, outline, shades = [];
	var n = 0, names, count, before, x0, w0, depth, end, parent, rows = [];
	var pool = [], hit;
	var zoomed = -1, re = null, pattern = "", ignorecase = false;
	var state_pending = false;
	var framesw = C.framesw;
	var minlabel = 6 + 3 * C.fontsize * C.charwidth;

	function init() {
		svg = document.documentElement;
		frames = document.getElementById("frames");
		rects = document.getElementById("rects");
		labels = document.getElementById("labels");
		overlay = document.getElementById("overlay");
		matches = document.getElementById("matches");
		details = document.getElementById("details").firstChild;
		matched = document.getElementById("matched").firstChild;
		unzoom = document.getElementById("unzoom");
		searchbtn = document.getElementById("search");
		icbtn = document.getElementById("ignorecase");
		read_frames();
		frames.addEventListener("click", on_click);
		frames.addEventListener("mousemove", on_over);
		frames.addEventListener("mouseleave", function () {
			details.nodeValue = " ";
			outline.setAttribute("class", "hide");
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
		var stack = [], i, k, d = flamesvg_frames;
		var step = C.diff ? 6 : 5, o = C.diff ? 1 : 0;

		n = d.length / step;
		names = new Array(n);
		count = new Float64Array(n); before = new Float64Array(n);
		x0 = new Float64Array(n); w0 = new Float64Array(n);
		depth = new Int32Array(n); end = new Int32Array(n);
		parent = new Int32Array(n); hit = new Uint8Array(n);
		for (i = 0, k = 0; i < n; i++, k += step) {
			names[i] = d[k];
			count[i] = d[k + 1];
			if (C.diff)
				before[i] = d[k + 2];
			x0[i] = d[k + 2 + o];
			w0[i] = d[k + 3 + o];
			depth[i] = d[k + 4 + o];
			if (!rows[depth[i]])
				rows[depth[i]] = [];
			rows[depth[i]].push(i);
			while (stack.length && depth[stack[stack.length - 1]] >= depth[i])
				end[stack.pop()] = i;
			parent[i] = stack.length ? stack[stack.length - 1] : -1;
			stack.push(i);
		}
		while (stack.length)
			end[stack.pop()] = n;
		for (i = 0; i < labels.children.length; i++)
			pool.push(labels.children[i]);
		outline = shape("rect", "hide");
		outline.setAttribute("id", "outline");
	}

	function shape(tag, cls) {
		var e = document.createElementNS("http://www.w3.org/2000/svg", tag);

		if (cls)
			e.setAttribute("class", cls);
		overlay.appendChild(e);
		return e;
	}

	function row_y(d) {
		return C.inverted ? C.ybase + d * C.frameheight :
				    C.ybase - d * C.frameheight;
	}

	// The frame under a pointer event, or -1.
	function frame_at(e) {
		var pt = svg.createSVGPoint(), p, f, d, row, lo, hi, mid, i;
		var zx = zoomed >= 0 ? x0[zoomed] : 0;
		var zw = zoomed >= 0 ? w0[zoomed] : 1;

		pt.x = e.clientX;
		pt.y = e.clientY;
		p = pt.matrixTransform(frames.getScreenCTM().inverse());
		if (p.x < 0 || p.x >= framesw)
			return -1;
		f = zx + p.x / framesw * zw;
		d = Math.floor(C.inverted ? (p.y - C.ybase) / C.frameheight :
			       (C.ybase + C.frameheight - p.y) / C.frameheight);
		row = rows[d];
		if (!row || p.y - row_y(d) >= C.frameheight - 1)
			return -1;
		for (lo = 0, hi = row.length; hi - lo > 1;) {
			mid = (lo + hi) >> 1;
			if (x0[row[mid]] <= f)
				lo = mid;
			else
				hi = mid;
		}
		i = row[lo];
		return x0[i] <= f && f < x0[i] + w0[i] ? i : -1;
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
		var y = String(row_y(depth[i]) + C.texty);

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
		var zx = 0, zw = 1, lo = 0, hi = n, i, a, px, used = 0, s, k = 0;

		if (zoomed >= 0) {
			zx = x0[zoomed]; zw = w0[zoomed];
			lo = zoomed; hi = end[zoomed];
			for (a = parent[zoomed]; a >= 0; a = parent[a]) {
				if (!shades[k]) {
					shades[k] = shape("rect", "a");
					shades[k].setAttribute("width", "100%");
				}
				shades[k].setAttribute("y", row_y(depth[a]));
				shades[k].setAttribute("height", C.frameheight - 1);
				shades[k++].removeAttribute("display");
				s = fit_label(a, framesw);
				if (s)
					put_label(used++, a, 0, s);
			}
		}
		for (; k < shades.length; k++)
			shades[k].setAttribute("display", "none");
		rects.setAttribute("viewBox", zx + " 0 " + zw + " " + C.height);
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
		// Lay the new view out now, in the click's task, so that the
		// frame that follows only paints (Chromium produced it sooner so
		// when frames were one element each; now it is cheap either way).
		svg.getBoundingClientRect();
		save_state();
	}

	function on_click(e) {
		var i = frame_at(e);

		if (i >= 0)
			zoom(i === zoomed || i === 0 ? -1 : i);
	}

	function pct(v, of) {
		return (of > 0 ? 100 * v / of : 0).toFixed(2) + "%";
	}

	function num(v) {
		return v.toLocaleString("en-US", { maximumFractionDigits: 3 });
	}

	// Outline frame i where it is drawn now.
	function show_outline(i) {
		var zx = zoomed >= 0 ? x0[zoomed] : 0;
		var zw = zoomed >= 0 ? w0[zoomed] : 1;
		var inside = zoomed < 0 || (i >= zoomed && i < end[zoomed]);
		var x = inside ? (x0[i] - zx) / zw : 0, w = inside ? w0[i] / zw : 1;

		outline.setAttribute("x", x * framesw);
		outline.setAttribute("width", w * framesw);
		outline.setAttribute("y", row_y(depth[i]));
		outline.setAttribute("height", C.frameheight - 1);
		outline.removeAttribute("class");
	}

	function on_over(e) {
		var i = frame_at(e), s, a, b, d;

		if (i < 0) {
			details.nodeValue = " ";
			outline.setAttribute("class", "hide");
			return;
		}
		show_outline(i);
		/* widths are the BEFORE counts (beforewidths): say so first */
		s = C.nametype + " " + names[i] + " (" +
		    (C.beforewidths ? "before " : "") + num(count[i]) + " " +
		    C.countname + ", " + pct(count[i], C.total);
		if (zoomed > 0 && i >= zoomed && i < end[zoomed])
			s += ", " + pct(count[i], count[zoomed]) + " of zoomed";
		if (C.diff) {
			a = C.beforewidths ? before[i] : count[i];
			b = C.beforewidths ? count[i] : before[i];
			d = a - b;
			s += C.beforewidths ? "; after " + num(a) :
			     "; before " + num(b);
			s += ", change " + (d < 0 ? "-" : "+") + num(Math.abs(d));
			if (b > 0)
				s += " (" + (d < 0 ? "-" : "+") +
				     pct(Math.abs(d), b) + ")";
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
		var i, m, d, sum = 0;

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
		d = [];
		for (i = 0; i < n; i++) {
			hit[i] = m = re !== null && re.test(names[i]) ? 1 : 0;
			if (m)
				d.push("M" + x0[i] + " " + row_y(depth[i]) + "h" + w0[i] +
				       "v" + (C.frameheight - 1) + "h" + -w0[i] + "z");
		}
		matches.setAttribute("d", d.join(""));
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
			p.set("x", x0[zoomed]);
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
				if (depth[i] === y && String(x0[i]) === p.get("x")) {
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

/* sinkfx: the sink suites' fixture (see sinkfx.h). */
#include <check.h>
#include <string.h>

#include "sinkfx.h"

struct tloc {
	enum frame_kind kind;
	const char *names[3];	/* the function, then those inlined */
	uint64_t ip;
	bool is_mapped;
};

static struct slice sl(const char *s)
{
	return (struct slice){s, strlen(s)};
}

static const uint8_t build_id[20] = {
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
};

static const struct folder_mapping app = {
	.id = 4, .start = 0x1000, .limit = 0x2000, .pgoff = 0,
	.file = "/bin/app", .build_id = build_id, .build_id_size = 20,
};

static const char *dso_of(enum frame_kind kind)
{
	switch (kind) {
	case FRAME_KERNEL: return "[kernel.kallsyms]";
	case FRAME_PYTHON: return "/tmp/perf-10.map";
	default: return "/bin/app";
	}
}

/* One sample, its locations root first, as symbolize adds them (leaf
 * first, each location's ids root-most first). */
static void sample(struct folder *f, int32_t tid, const char *comm,
		   uint64_t time, uint64_t period, const struct tloc *locs,
		   size_t nr)
{
	struct folder_who who = {.comm = sl(comm), .is_nr = true,
				 .pid_nr = 10, .tid_nr = tid, .time = time};
	size_t i, k;

	ck_assert(folder__begin(f, &who, sl(""), period, true));
	for (i = nr; i-- > 0;) {
		uint32_t ids[3], at[3];
		struct folder_loc l = {.kind = locs[i].kind,
				       .sym = sl(locs[i].names[0]),
				       .ip = locs[i].ip, .ids = ids,
				       .map = locs[i].is_mapped ? &app : NULL};

		for (k = 0; k < 3 && locs[i].names[k]; k++) {
			struct frame fr = {
				.kind = k ? FRAME_INLINED : locs[i].kind,
				.sym = sl(locs[i].names[k]),
				.dso = sl(k ? "" : dso_of(locs[i].kind)),
			};

			ck_assert_int_eq(folder__name(f, &fr, ids + k, 1), 1);
		}
		l.nr = k;
		if (!folder__has_sink(f)) {
			folder__ids(f, ids, l.nr);
			continue;
		}
		at[0] = folder__location(f, &l);
		ck_assert_uint_ne(at[0], FOLDER_LOC_NONE);
		for (k = 1; k < l.nr; k++)
			at[k] = at[0] | FOLDER_LOC_INLINED;
		folder__ids_at(f, ids, at, l.nr);
	}
	ck_assert_int_eq(folder__end(f), 0);
}

void sinkfx__feed(struct folder *f)
{
	static const struct tloc app_stack[] = {
		{FRAME_NATIVE, {"main"}, 0x1010, true},
		{FRAME_NATIVE, {"outer", "inner"}, 0x1020, true},
	};
	static const struct tloc worker_stack[] = {
		{FRAME_PYTHON, {"py::f:/x/f.py"}, 0x7000, false},
		{FRAME_KERNEL, {"schedule"}, 0xffffffff81000000ull, false},
	};

	sample(f, 10, "app", 1000, 3, app_stack, 2);
	sample(f, 10, "app", 2000, 5, app_stack, 2);
	sample(f, 11, "worker", 3000, 7, worker_stack, 2);
	sample(f, 10, "app", 4000, 2, app_stack, 1);
}

void sinkfx__build(struct folder **f, struct profile **p, bool keep_order,
		   enum folder_python python)
{
	struct folder_opts o = {.python = python};
	struct folder_sink sink;

	*p = profile__new(keep_order);
	ck_assert_ptr_nonnull(*p);
	profile__sink(*p, &sink);
	*f = folder__new_sink(&o, &sink);
	ck_assert_ptr_nonnull(*f);
	sinkfx__feed(*f);
	ck_assert_int_eq(profile__finish(*p), 0);
}

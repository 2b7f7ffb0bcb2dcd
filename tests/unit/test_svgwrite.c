/* Unit tests for common/svgwrite. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flametree.h"
#include "palette.h"
#include "svgwrite.h"

static const char *esc(const char *s, size_t len)
{
	static char buf[8 * 256 + 1];

	svgwrite__escape(buf, s, len);
	return buf;
}

START_TEST(test_escape_markup)
{
	const char *h = "</text><script>alert(1)</script>";

	ck_assert_str_eq(esc(h, strlen(h)),
			 "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
	ck_assert_str_eq(esc("a&b \"c\" 'd' ]]>", 15),
			 "a&amp;b &quot;c&quot; &#39;d&#39; ]]&gt;");
	ck_assert_str_eq(esc("<lambda>", 8), "&lt;lambda&gt;");
}
END_TEST

START_TEST(test_escape_bad_bytes)
{
	/* valid UTF-8 passes; bad bytes, controls, surrogates become U+FFFD */
	ck_assert_str_eq(esc("caf\xc3\xa9", 5), "caf\xc3\xa9");
	ck_assert_str_eq(esc("a\xff" "b", 3), "a\xef\xbf\xbd" "b");
	ck_assert_str_eq(esc("\x01", 1), "\xef\xbf\xbd");
	ck_assert_str_eq(esc("\xed\xa0\x80", 3),
			 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	ck_assert_str_eq(esc("\xc3", 1), "\xef\xbf\xbd");	/* truncated */
	ck_assert_str_eq(esc("\t", 1), "&#9;");
}
END_TEST

START_TEST(test_strip_annotation)
{
	ck_assert_uint_eq(svgwrite__strip_annotation("tcp_[k]", 7), 3);
	ck_assert_uint_eq(svgwrite__strip_annotation("f_[j]", 5), 1);
	ck_assert_uint_eq(svgwrite__strip_annotation("g_[i]", 5), 1);
	ck_assert_uint_eq(svgwrite__strip_annotation("h_[x]", 5), 5);
	ck_assert_uint_eq(svgwrite__strip_annotation("[k]", 3), 3);
}
END_TEST

START_TEST(test_bgcolors)
{
	ck_assert(svgwrite__bgcolors_valid("yellow"));
	ck_assert(svgwrite__bgcolors_valid("#f0f0f0"));
	ck_assert(svgwrite__bgcolors_valid("#fff"));
	ck_assert(!svgwrite__bgcolors_valid("#ggg"));
	ck_assert(!svgwrite__bgcolors_valid("red\"/><script>"));
}
END_TEST

static char *render(const struct svg_opts *so, const char *const *stacks,
		    size_t nr)
{
	struct flametree *t = flametree__new(0);
	struct palette *p = palette__new(PALETTE_HOT);
	char *text = NULL;
	size_t len = 0, i;
	FILE *out = open_memstream(&text, &len);

	for (i = 0; i < nr; i++)
		ck_assert_int_eq(flametree__add(t, stacks[i], strlen(stacks[i]),
						0, 1), 0);
	ck_assert_int_eq(flametree__finish(t), 0);
	ck_assert_int_eq(svgwrite__render(t, p, so, out), 0);
	fclose(out);
	palette__free(p);
	flametree__free(t);
	return text;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static struct svg_opts defaults(void)
{
	return (struct svg_opts){
		.frame_height = 16, .font_size = 12, .font_type = "Verdana",
		.min_width = 0.1, .title = "T<&>", .count_name = "samples",
		.name_type = "Function:", .bgcolors = "yellow",
	};
}

START_TEST(test_render_prunes_and_escapes)
{
	/* 1 of 10,000 samples is 0.118 px at 1180 px: kept at minwidth 0.1,
	 * pruned at 0.2 */
	static const char *stacks[10001];
	struct svg_opts so = defaults();
	char *svg;
	size_t i;

	stacks[0] = "main;<tiny>";
	for (i = 1; i < 10000; i++)
		stacks[i] = "main;big";
	svg = render(&so, stacks, 10000);
	ck_assert_uint_eq(count(svg, "v15h-"), 4);	/* all, main, big, tiny */
	ck_assert_ptr_nonnull(strstr(svg, "\"\\u003ctiny\\u003e\",1,0,0.0001,2,\n"));
	ck_assert_ptr_nonnull(strstr(svg, ">T&lt;&amp;&gt;</text>"));
	ck_assert_ptr_nonnull(strstr(svg, "<text x=\"0.01%\" y=\"48\">big</text>"));
	ck_assert_ptr_nonnull(strstr(svg, "width=\"100%\""));
	free(svg);
	so.min_width = 0.2;
	svg = render(&so, stacks, 10000);
	ck_assert_uint_eq(count(svg, "v15h-"), 3);
	ck_assert_ptr_null(strstr(svg, "tiny"));
	free(svg);
	so.min_width = 5;	/* percent */
	so.is_min_width_pct = 1;
	svg = render(&so, stacks, 10000);
	ck_assert_uint_eq(count(svg, "v15h-"), 3);
	free(svg);
}
END_TEST

START_TEST(test_render_fixed_inverted_labels)
{
	static const char *stacks[] = {
		"main;a_very_long_function_name_that_cannot_fit", "main;b",
	};
	struct svg_opts so = defaults();
	char *svg;

	so.width = 200;		/* frames get 180 px: 90 px each */
	so.is_inverted = 1;
	svg = render(&so, stacks, 2);
	ck_assert_ptr_nonnull(strstr(svg, "width=\"200\" height="));
	/* inverted: the root sits on top, just under the title band; frames
	 * are subpaths in fractions of the width */
	ck_assert_ptr_nonnull(strstr(svg, "M0 36h1v15h-1z"));
	ck_assert_ptr_nonnull(strstr(svg, "M0.5 68h0.5v15h-0.5z"));
	ck_assert_ptr_nonnull(strstr(svg, "<svg id=\"rects\" viewBox=\"0 0 1 "));
	/* 90 px hold (90-6)/7.08 = 11 characters: 9 and ".." */
	ck_assert_ptr_nonnull(strstr(svg, ">a_very_lo..</text>"));
	free(svg);
	so.is_truncate_left = 1;
	svg = render(&so, stacks, 2);
	ck_assert_ptr_nonnull(strstr(svg, ">..annot_fit</text>"));
	free(svg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("svgwrite");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_escape_markup);
	tcase_add_test(tc, test_escape_bad_bytes);
	tcase_add_test(tc, test_strip_annotation);
	tcase_add_test(tc, test_bgcolors);
	tcase_add_test(tc, test_render_prunes_and_escapes);
	tcase_add_test(tc, test_render_fixed_inverted_labels);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* symarr_tree: perf's symbol red-black tree, rebuilt (see symarr.h).
 *
 * A port of lib/rbtree.c over nodes[] linked by index (NIL for none), and
 * perf's uses of it: symbols__insert() (equal starts go right), the fixups
 * symbols__fixup_end() and symbols__fixup_duplicate() (erase takes the
 * in-order successor), and, for a set loaded flat, the tree it stands for.
 *
 * Invariants: the nodes reachable from root are the live entries, a valid
 * red-black tree whose in-order walk is by start, equal starts in the
 * order linked; erased nodes stay in nodes[], unlinked. Any change to the
 * tree unseals the set first, since the sealed intervals are the answers
 * of symarr_descend() over it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "symarr_int.h"

static bool is_red(const struct symarr *a, uint32_t i)
{
	return i != NIL && N(i).color == RED;
}

/* Replace old by new as parent's child (or as the root). */
static void change_child(struct symarr *a, uint32_t old, uint32_t new,
			 uint32_t parent)
{
	if (parent == NIL)
		a->root = new;
	else if (N(parent).left == old)
		N(parent).left = new;
	else
		N(parent).right = new;
}

/* After a rotation: new takes old's place and colour, old goes under new
 * with the given colour (lib/rbtree.c __rb_rotate_set_parents()). */
static void rotate_set_parents(struct symarr *a, uint32_t old, uint32_t new,
			       uint8_t color)
{
	uint32_t parent = N(old).parent;

	N(new).parent = parent;
	N(new).color = N(old).color;
	N(old).parent = new;
	N(old).color = color;
	change_child(a, old, new, parent);
}

static void set_parent_color(struct symarr *a, uint32_t i, uint32_t parent,
			     uint8_t color)
{
	N(i).parent = parent;
	N(i).color = color;
}

/* Rebalance after linking red node (lib/rbtree.c __rb_insert()). The
 * mirror cases swap left and right; "l" and "r" below are the child
 * fields seen from the parent's side. */
static void insert_fixup(struct symarr *a, uint32_t node)
{
	uint32_t parent = N(node).parent, gparent, tmp;

	for (;;) {
		if (parent == NIL) {
			N(node).color = BLACK;
			break;
		}
		if (N(parent).color == BLACK)
			break;
		gparent = N(parent).parent;
		tmp = N(gparent).right;
		if (parent != tmp) {	/* parent is gparent's left child */
			if (is_red(a, tmp)) {
				set_parent_color(a, tmp, gparent, BLACK);
				set_parent_color(a, parent, gparent, BLACK);
				node = gparent;
				parent = N(node).parent;
				set_parent_color(a, node, parent, RED);
				continue;
			}
			tmp = N(parent).right;
			if (node == tmp) {
				tmp = N(node).left;
				N(parent).right = tmp;
				N(node).left = parent;
				if (tmp != NIL)
					set_parent_color(a, tmp, parent, BLACK);
				set_parent_color(a, parent, node, RED);
				parent = node;
				tmp = N(node).right;
			}
			N(gparent).left = tmp;
			N(parent).right = gparent;
			if (tmp != NIL)
				set_parent_color(a, tmp, gparent, BLACK);
			rotate_set_parents(a, gparent, parent, RED);
			break;
		}
		tmp = N(gparent).left;
		if (is_red(a, tmp)) {
			set_parent_color(a, tmp, gparent, BLACK);
			set_parent_color(a, parent, gparent, BLACK);
			node = gparent;
			parent = N(node).parent;
			set_parent_color(a, node, parent, RED);
			continue;
		}
		tmp = N(parent).left;
		if (node == tmp) {
			tmp = N(node).right;
			N(parent).left = tmp;
			N(node).right = parent;
			if (tmp != NIL)
				set_parent_color(a, tmp, parent, BLACK);
			set_parent_color(a, parent, node, RED);
			parent = node;
			tmp = N(node).left;
		}
		N(gparent).right = tmp;
		N(parent).left = gparent;
		if (tmp != NIL)
			set_parent_color(a, tmp, gparent, BLACK);
		rotate_set_parents(a, gparent, parent, RED);
		break;
	}
}

/* Restore the black height below parent after erasing a black leaf
 * (lib/rbtree.c ____rb_erase_color()). */
static void erase_fixup(struct symarr *a, uint32_t parent)
{
	uint32_t node = NIL, sibling, tmp1, tmp2;

	for (;;) {
		sibling = N(parent).right;
		if (node != sibling) {	/* node is parent's left child */
			if (is_red(a, sibling)) {
				tmp1 = N(sibling).left;
				N(parent).right = tmp1;
				N(sibling).left = parent;
				set_parent_color(a, tmp1, parent, BLACK);
				rotate_set_parents(a, parent, sibling, RED);
				sibling = tmp1;
			}
			tmp1 = N(sibling).right;
			if (!is_red(a, tmp1)) {
				tmp2 = N(sibling).left;
				if (!is_red(a, tmp2)) {
					set_parent_color(a, sibling, parent,
							 RED);
					if (N(parent).color == RED) {
						N(parent).color = BLACK;
					} else {
						node = parent;
						parent = N(node).parent;
						if (parent != NIL)
							continue;
					}
					break;
				}
				tmp1 = N(tmp2).right;
				N(sibling).left = tmp1;
				N(tmp2).right = sibling;
				N(parent).right = tmp2;
				if (tmp1 != NIL)
					set_parent_color(a, tmp1, sibling,
							 BLACK);
				tmp1 = sibling;
				sibling = tmp2;
			}
			tmp2 = N(sibling).left;
			N(parent).right = tmp2;
			N(sibling).left = parent;
			set_parent_color(a, tmp1, sibling, BLACK);
			if (tmp2 != NIL)
				N(tmp2).parent = parent;
			rotate_set_parents(a, parent, sibling, BLACK);
			break;
		}
		sibling = N(parent).left;
		if (is_red(a, sibling)) {
			tmp1 = N(sibling).right;
			N(parent).left = tmp1;
			N(sibling).right = parent;
			set_parent_color(a, tmp1, parent, BLACK);
			rotate_set_parents(a, parent, sibling, RED);
			sibling = tmp1;
		}
		tmp1 = N(sibling).left;
		if (!is_red(a, tmp1)) {
			tmp2 = N(sibling).right;
			if (!is_red(a, tmp2)) {
				set_parent_color(a, sibling, parent, RED);
				if (N(parent).color == RED) {
					N(parent).color = BLACK;
				} else {
					node = parent;
					parent = N(node).parent;
					if (parent != NIL)
						continue;
				}
				break;
			}
			tmp1 = N(tmp2).left;
			N(sibling).right = tmp1;
			N(tmp2).left = sibling;
			N(parent).left = tmp2;
			if (tmp1 != NIL)
				set_parent_color(a, tmp1, sibling, BLACK);
			tmp1 = sibling;
			sibling = tmp2;
		}
		tmp2 = N(sibling).right;
		N(parent).left = tmp2;
		N(sibling).right = parent;
		set_parent_color(a, tmp1, sibling, BLACK);
		if (tmp2 != NIL)
			N(tmp2).parent = parent;
		rotate_set_parents(a, parent, sibling, BLACK);
		break;
	}
}

/* Unlink node (lib/rbtree.c __rb_erase_augmented() + rebalance). */
static void erase(struct symarr *a, uint32_t node)
{
	uint32_t child = N(node).right, tmp = N(node).left;
	uint32_t parent, rebalance, successor, child2;
	uint8_t color;

	if (tmp == NIL) {
		parent = N(node).parent;
		color = N(node).color;
		change_child(a, node, child, parent);
		if (child != NIL) {
			set_parent_color(a, child, parent, color);
			rebalance = NIL;
		} else {
			rebalance = color == BLACK ? parent : NIL;
		}
	} else if (child == NIL) {
		parent = N(node).parent;
		set_parent_color(a, tmp, parent, N(node).color);
		change_child(a, node, tmp, parent);
		rebalance = NIL;
	} else {
		successor = child;
		tmp = N(child).left;
		if (tmp == NIL) {
			parent = successor;
			child2 = N(successor).right;
		} else {
			do {
				parent = successor;
				successor = tmp;
				tmp = N(tmp).left;
			} while (tmp != NIL);
			child2 = N(successor).right;
			N(parent).left = child2;
			N(successor).right = child;
			N(child).parent = successor;
		}
		tmp = N(node).left;
		N(successor).left = tmp;
		N(tmp).parent = successor;
		change_child(a, node, successor, N(node).parent);
		if (child2 != NIL) {
			set_parent_color(a, child2, parent, BLACK);
			rebalance = NIL;
		} else {
			rebalance = N(successor).color == BLACK ? parent : NIL;
		}
		set_parent_color(a, successor, N(node).parent,
				 N(node).color);
	}
	if (rebalance != NIL)
		erase_fixup(a, rebalance);
	N(node).left = N(node).right = N(node).parent = NIL;
	a->nr_live--;
}

/* Link node i into the tree as perf's __symbols__insert() does: equal
 * starts go right. */
void symarr_link_node(struct symarr *a, uint32_t i)
{
	uint32_t parent = NIL, cur = a->root;
	uint64_t start = N(i).sym.start;
	bool left = false;

	while (cur != NIL) {
		parent = cur;
		left = start < N(cur).sym.start;
		cur = left ? N(cur).left : N(cur).right;
	}
	N(i).left = N(i).right = NIL;
	N(i).parent = parent;
	N(i).color = RED;
	if (parent == NIL)
		a->root = i;
	else if (left)
		N(parent).left = i;
	else
		N(parent).right = i;
	insert_fixup(a, i);
}

int symarr__add(struct symarr *a, uint64_t start, uint64_t size,
		enum symarr_binding binding, const char *name, size_t len,
		uint32_t tag)
{
	uint32_t i;
	int err;

	if (a->form == SYMARR_FORM_FROZEN)
		return -EPERM;
	err = symarr_reserve_nodes(a, a->nr_nodes + 1);
	if (err)
		return err;
	if (a->form == SYMARR_FORM_FLAT)
		symarr_materialize(a);
	symarr_unseal(a);
	i = (uint32_t)a->nr_nodes;
	err = symarr_set_node(a, i, start, size, binding, name, len, tag);
	if (err)
		return err;
	a->nr_nodes++;
	a->nr_live++;
	symarr_link_node(a, i);
	return 0;
}

static uint32_t first(const struct symarr *a)
{
	uint32_t i = a->root;

	if (i == NIL)
		return NIL;
	while (N(i).left != NIL)
		i = N(i).left;
	return i;
}

static uint32_t next(const struct symarr *a, uint32_t i)
{
	uint32_t p;

	if (N(i).right != NIL) {
		i = N(i).right;
		while (N(i).left != NIL)
			i = N(i).left;
		return i;
	}
	while ((p = N(i).parent) != NIL && i == N(p).right)
		i = p;
	return p;
}

static unsigned int leading_underscores(const char *s)
{
	unsigned int n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

bool symarr_prefer_second(const struct node *x, const struct node *y)
{
	uint64_t sx = x->sym.end - x->sym.start, sy = y->sym.end - y->sym.start;
	unsigned int ux, uy;
	size_t lx, ly;

	if (sy == 0 && sx > 0)
		return false;
	if (sx == 0 && sy > 0)
		return true;
	if ((x->binding == SYMARR_WEAK) != (y->binding == SYMARR_WEAK))
		return x->binding == SYMARR_WEAK;
	if ((x->binding == SYMARR_GLOBAL) != (y->binding == SYMARR_GLOBAL))
		return y->binding == SYMARR_GLOBAL;
	ux = leading_underscores(x->sym.name);
	uy = leading_underscores(y->sym.name);
	if (ux != uy)
		return ux > uy;
	lx = strlen(x->sym.name);
	ly = strlen(y->sym.name);
	if (lx != ly)
		return ly > lx;
	/* arch__choose_best_symbol(): avoid "SyS" syscall aliases. */
	return !strncmp(x->sym.name, "SyS", 3) ||
	       !strncmp(x->sym.name, "compat_SyS", 10);
}

static void fixup_end(struct symarr *a, bool is_kallsyms)
{
	uint32_t prev, cur = first(a);

	if (cur == NIL)
		return;
	for (prev = cur; (cur = next(a, prev)) != NIL; prev = cur) {
		struct symarr_sym *p = &N(prev).sym;

		if (p->end != p->start)
			continue;
		if (is_kallsyms && !p->tag != !N(cur).sym.tag)
			p->end = (p->end + 4096 + 4095) & ~(uint64_t)4095;
		else
			p->end = N(cur).sym.start;
	}
	if (N(prev).sym.end == N(prev).sym.start)
		N(prev).sym.end =
			((N(prev).sym.start + 4095) & ~(uint64_t)4095) + 4096;
}

static void fixup_duplicate(struct symarr *a)
{
	uint32_t cur, nd = first(a);

	while (nd != NIL) {
		cur = nd;
again:
		nd = next(a, cur);
		if (nd == NIL)
			break;
		if (N(cur).sym.start != N(nd).sym.start)
			continue;
		if (!symarr_prefer_second(&N(cur), &N(nd))) {
			erase(a, nd);
			goto again;
		}
		nd = next(a, cur);
		erase(a, cur);
	}
}

void symarr__fixup(struct symarr *a, unsigned int flags)
{
	if (a->form == SYMARR_FORM_FROZEN)
		return;
	if (a->form == SYMARR_FORM_FLAT)
		symarr_materialize(a);
	symarr_unseal(a);
	if (flags & SYMARR_FIXUP_END)
		fixup_end(a, flags & SYMARR_KALLSYMS);
	if (flags & SYMARR_DEDUP)
		fixup_duplicate(a);
}

/* Every entry linked in the order added, with its own end, then the
 * fixups done on it. */
void symarr_materialize(struct symarr *a)
{
	size_t i;

	symarr_unseal(a);
	a->root = NIL;
	for (i = 0; i < a->nr_nodes; i++) {
		if (N(i).is_end_fixed)
			N(i).sym.end = N(i).sym.start;
		N(i).is_end_fixed = 0;
		symarr_link_node(a, (uint32_t)i);
	}
	a->nr_live = a->nr_nodes;
	a->form = SYMARR_FORM_TREE;
	free(a->flat_order);
	a->flat_order = NULL;
	if (a->flat_flags & SYMARR_FIXUP_END)
		fixup_end(a, a->flat_flags & SYMARR_KALLSYMS);
	if (a->flat_flags & SYMARR_DEDUP)
		fixup_duplicate(a);
}

size_t symarr__nr_shared_starts(const struct symarr *a)
{
	uint32_t prev, cur = first(a);
	size_t n = 0;

	if (cur == NIL)
		return 0;
	for (prev = cur; (cur = next(a, prev)) != NIL; prev = cur)
		if (N(cur).sym.start == N(prev).sym.start)
			n++;
	return n;
}

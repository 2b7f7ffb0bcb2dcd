/* dwinfo: DWARF opened with only the sections perffold reads inflated
 * (see dwinfo.h).
 *
 * The reduced image is a minimal ELF64 file: the original ELF header with
 * no program headers, the kept sections' bytes (inflated, or copied when
 * the file stored them plain), a .shstrtab and the section headers, in
 * that order. Section names, types and flags other than SHF_COMPRESSED
 * are the original ones, so libdw finds them by name as in the file.
 */
#include <elf.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debugfile.h"
#include "deflate.h"
#include "dwinfo.h"
#include "fcache.h"

/* What libdw 0.188 reads for DIEs and their attributes (info, abbrev,
 * the string and address tables, DWARF 4 type units), pc ranges
 * (aranges for dwarf_addrdie, ranges and rnglists for dwarf_ranges) and
 * dwarf_getcfi() (frame). Not kept: line tables, location lists, macros,
 * the pubnames and names indexes. */
static const char *const kept[] = {
	".debug_info", ".debug_abbrev", ".debug_str", ".debug_line_str",
	".debug_str_offsets", ".debug_addr", ".debug_types",
	".debug_aranges", ".debug_ranges", ".debug_rnglists",
	".debug_frame",
};
#define NR_KEPT (sizeof(kept) / sizeof(kept[0]))

struct dwinfo {
	char *path;
	const struct fcache *cache;
	int fd;
	uint8_t build_id[FCACHE_BUILD_ID_MAX];	/* the file's, names it in */
	size_t build_id_len;			/* the cache */
	Elf *elf;		/* the file */
	Elf *img_elf;		/* over img or the cached image, or NULL */
	char *img;
	size_t img_len;
	struct fcache_blob *cached;	/* the image from the cache */
	Dwarf *dw;
	int err;		/* errno of a failed open, or 0 */
	pthread_t thread;
	bool is_running;	/* thread started and not joined */
};

/* One kept section: where its bytes come from and go. */
struct kept_scn {
	const char *name;
	GElf_Shdr shdr;
	Elf_Data *raw;		/* the bytes as stored */
	uint64_t size;		/* as loaded (inflated) */
	uint64_t off;		/* in the image */
	bool is_compressed;
};

static bool is_kept(const char *name)
{
	size_t i;

	for (i = 0; i < NR_KEPT; i++)
		if (!strcmp(name, kept[i]))
			return true;
	return false;
}

static bool is_native_elf64(Elf *elf)
{
	const char *id = elf_getident(elf, NULL);
	const uint16_t one = 1;
	int data = *(const uint8_t *)&one ? ELFDATA2LSB : ELFDATA2MSB;

	return id && id[EI_CLASS] == ELFCLASS64 && id[EI_DATA] == data;
}

/* The kept sections of elf into ks[] (NR_KEPT at most): their count, or
 * 0 when the image would not help (nothing compressed) or could be wrong
 * (a compression or a layout not handled here). */
static size_t scan(Elf *elf, struct kept_scn *ks)
{
	size_t shstrndx, nr = 0;
	Elf_Scn *scn = NULL;
	bool any_compressed = false;

	if (!is_native_elf64(elf) || elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(elf, scn))) {
		struct kept_scn *k = &ks[nr];
		const char *name;

		if (!gelf_getshdr(scn, &k->shdr))
			return 0;
		name = elf_strptr(elf, shstrndx, k->shdr.sh_name);
		if (!name)
			return 0;
		/* a dwz file libdw finds by path; GNU .zdebug compression */
		if (!strcmp(name, ".gnu_debugaltlink") ||
		    !strncmp(name, ".zdebug", 7))
			return 0;
		if (!is_kept(name) || k->shdr.sh_type == SHT_NOBITS)
			continue;
		if (nr == NR_KEPT)
			return 0;	/* a name twice */
		k->name = name;
		k->raw = elf_rawdata(scn, NULL);
		if (!k->raw || k->raw->d_size != k->shdr.sh_size)
			return 0;
		k->size = k->shdr.sh_size;
		k->is_compressed = k->shdr.sh_flags & SHF_COMPRESSED;
		if (k->is_compressed) {
			GElf_Chdr ch;

			if (!gelf_getchdr(scn, &ch) ||
			    ch.ch_type != ELFCOMPRESS_ZLIB ||
			    k->shdr.sh_size < sizeof(Elf64_Chdr))
				return 0;
			k->size = ch.ch_size;
			any_compressed = true;
		}
		nr++;
	}
	return any_compressed ? nr : 0;
}

static uint64_t align8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

/* The image of the nr sections ks[] of elf in di->img, or -errno. */
static int build_image(struct dwinfo *di, Elf *elf, struct kept_scn *ks,
		       size_t nr)
{
	GElf_Ehdr eh;
	Elf64_Ehdr *ieh;
	Elf64_Shdr *ish;
	uint64_t off = sizeof(Elf64_Ehdr), str_off, str_len = 1, sh_off;
	char *strs;
	size_t i;
	int err = 0;

	if (!gelf_getehdr(elf, &eh))
		return -ENOEXEC;
	for (i = 0; i < nr; i++) {
		ks[i].off = off = align8(off);
		if (ks[i].size > SIZE_MAX / 2 - off)
			return -ENOMEM;
		off += ks[i].size;
		str_len += strlen(ks[i].name) + 1;
	}
	str_len += sizeof(".shstrtab");
	str_off = off;
	sh_off = align8(str_off + str_len);
	di->img = malloc(sh_off + (nr + 2) * sizeof(Elf64_Shdr));
	if (!di->img)
		return -ENOMEM;

	ieh = (Elf64_Ehdr *)di->img;
	memset(ieh, 0, sizeof(*ieh));
	memcpy(ieh->e_ident, eh.e_ident, EI_NIDENT);
	ieh->e_type = eh.e_type;
	ieh->e_machine = eh.e_machine;
	ieh->e_version = eh.e_version;
	ieh->e_flags = eh.e_flags;
	ieh->e_ehsize = sizeof(Elf64_Ehdr);
	ieh->e_shentsize = sizeof(Elf64_Shdr);
	ieh->e_shoff = sh_off;
	ieh->e_shnum = (uint16_t)(nr + 2);
	ieh->e_shstrndx = (uint16_t)(nr + 1);

	ish = (Elf64_Shdr *)(di->img + sh_off);
	strs = di->img + str_off;
	memset(&ish[0], 0, sizeof(ish[0]));
	strs[0] = '\0';
	str_len = 1;
	for (i = 0; i < nr && !err; i++) {
		const struct kept_scn *k = &ks[i];
		char *dst = di->img + k->off;

		if (k->is_compressed) {
			const char *src = (const char *)k->raw->d_buf +
					  sizeof(Elf64_Chdr);

			err = deflate__zlib_inflate(src,
					k->raw->d_size - sizeof(Elf64_Chdr),
					dst, k->size);
		} else {
			memcpy(dst, k->raw->d_buf, k->size);
		}
		ish[i + 1] = (Elf64_Shdr){
			.sh_name = (uint32_t)str_len,
			.sh_type = k->shdr.sh_type,
			.sh_flags = k->shdr.sh_flags & ~(uint64_t)SHF_COMPRESSED,
			.sh_offset = k->off,
			.sh_size = k->size,
			.sh_addralign = 1,
			.sh_entsize = k->shdr.sh_entsize,
		};
		memcpy(strs + str_len, k->name, strlen(k->name) + 1);
		str_len += strlen(k->name) + 1;
	}
	if (err)
		return err;
	ish[nr + 1] = (Elf64_Shdr){
		.sh_name = (uint32_t)str_len,
		.sh_type = SHT_STRTAB,
		.sh_offset = str_off,
		.sh_size = str_len + sizeof(".shstrtab"),
		.sh_addralign = 1,
	};
	memcpy(strs + str_len, ".shstrtab", sizeof(".shstrtab"));
	di->img_len = sh_off + (nr + 2) * sizeof(Elf64_Shdr);
	di->img_elf = elf_memory(di->img, di->img_len);
	return di->img_elf ? 0 : -ENOEXEC;
}

/* di's file as the cache names it (on di's thread: no join). */
static struct fcache_src cache_src(const struct dwinfo *di)
{
	return (struct fcache_src){ .fd = di->fd, .build_id = di->build_id,
				    .build_id_len = di->build_id_len };
}

/* The image of di->fd stored in the cache, opened: 0, or -ENOENT when
 * there is no cache or no usable image in it. */
static int open_cached(struct dwinfo *di)
{
	struct fcache_src src;
	size_t len;
	char *img;

	if (!di->cache)
		return -ENOENT;
	src = cache_src(di);
	di->cached = fcache__get(di->cache, "dwarf", &src, 1);
	if (!di->cached)
		return -ENOENT;
	img = fcache_blob__data(di->cached, &len);
	di->img_elf = elf_memory(img, len);
	if (di->img_elf)
		di->dw = dwarf_begin_elf(di->img_elf, DWARF_C_READ, NULL);
	if (di->dw)
		return 0;
	if (di->img_elf)
		elf_end(di->img_elf);
	di->img_elf = NULL;
	fcache_blob__free(di->cached);
	di->cached = NULL;
	return -ENOENT;
}

/* Open di->path into di: 0 or -errno. */
static int open_file(struct dwinfo *di)
{
	struct kept_scn ks[NR_KEPT];
	const void *id;
	ssize_t n;
	size_t nr;

	di->fd = open(di->path, O_RDONLY | O_CLOEXEC);
	if (di->fd < 0)
		return -ENOENT;
	di->elf = debugfile__elf_begin(di->fd, di->path);
	if (!di->elf || elf_kind(di->elf) != ELF_K_ELF)
		return -ENOEXEC;
	n = dwelf_elf_gnu_build_id(di->elf, &id);
	if (n > 0 && (size_t)n <= sizeof(di->build_id)) {
		memcpy(di->build_id, id, (size_t)n);
		di->build_id_len = (size_t)n;
	}
	nr = scan(di->elf, ks);
	if (nr && open_cached(di) && !build_image(di, di->elf, ks, nr)) {
		di->dw = dwarf_begin_elf(di->img_elf, DWARF_C_READ, NULL);
		if (di->dw && di->cache) {	/* best effort */
			struct fcache_src src = cache_src(di);

			fcache__put(di->cache, "dwarf", &src, 1, di->img,
				    di->img_len);
		}
	}
	if (di->dw) {
		/* the image holds all libdw reads: the file can go (its
		 * descriptor names it in the cache) */
		debugfile__elf_end(di->elf);
		di->elf = NULL;
		return 0;
	}
	/* nothing to gain, or libdw did not take the image: the file */
	if (di->img_elf)
		elf_end(di->img_elf);
	di->img_elf = NULL;
	free(di->img);
	di->img = NULL;
	di->dw = dwarf_begin_elf(di->elf, DWARF_C_READ, NULL);
	return di->dw ? 0 : -ENOENT;
}

static struct dwinfo *dwinfo_alloc(const char *path,
				    const struct fcache *cache)
{
	struct dwinfo *di = calloc(1, sizeof(*di));

	if (!di || !(di->path = strdup(path))) {
		free(di);
		errno = ENOMEM;
		return NULL;
	}
	di->cache = cache;
	di->fd = -1;
	elf_version(EV_CURRENT);
	return di;
}

struct dwinfo *dwinfo__open(const char *path, const struct fcache *cache)
{
	struct dwinfo *di = dwinfo_alloc(path, cache);
	int err;

	if (!di)
		return NULL;
	err = open_file(di);
	if (err) {
		dwinfo__free(di);
		errno = -err;
		return NULL;
	}
	return di;
}

static void *open_thread(void *arg)
{
	struct dwinfo *di = arg;

	di->err = -open_file(di);
	return NULL;
}

struct dwinfo *dwinfo__start(const char *path, const struct fcache *cache)
{
	struct dwinfo *di = dwinfo_alloc(path, cache);

	if (!di)
		return NULL;
	di->is_running = !pthread_create(&di->thread, NULL, open_thread, di);
	if (!di->is_running)
		open_thread(di);
	return di;
}

static void join(struct dwinfo *di)
{
	if (di->is_running) {
		pthread_join(di->thread, NULL);
		di->is_running = false;
	}
}

Dwarf *dwinfo__dwarf(struct dwinfo *di)
{
	join(di);
	return di->dw;
}

bool dwinfo__is_inflated(struct dwinfo *di)
{
	join(di);
	return di->dw && di->img_elf;
}

struct fcache_src dwinfo__cache_src(struct dwinfo *di)
{
	struct fcache_src src;

	join(di);
	src = cache_src(di);
	if (!di->dw)
		src.fd = -1;
	return src;
}

bool dwinfo__is_cached(struct dwinfo *di)
{
	join(di);
	return di->dw && di->cached;
}

void dwinfo__free(struct dwinfo *di)
{
	if (!di)
		return;
	join(di);
	if (di->dw)
		dwarf_end(di->dw);
	if (di->img_elf)
		elf_end(di->img_elf);
	free(di->img);
	fcache_blob__free(di->cached);
	debugfile__elf_end(di->elf);
	if (di->fd >= 0)
		close(di->fd);
	free(di->path);
	free(di);
}

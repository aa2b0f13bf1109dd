/* FAT names: decoding and encoding path components, 8.3 aliases with their
 * numeric tails, LFN slots and the case folding used for lookups. Follows the
 * behaviour of FatFs R0.13c (LFN, code page 437) described in flash.md §4.4. */
#include "util/le.h"
#include "fat_name.h"

#include <errno.h>
#include <string.h>

#include "cp437.h"

#define LFN_ATTR 0x0F
#define SLOT_CLUSTER_OFF 26

/* Byte offsets of the 13 UTF-16 units in an LFN slot (flash.md §4.4). */
static const uint8_t slot_unit_off[VB_FATNAME_SLOT_CHARS] = {
    1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30,
};

static bool is_surrogate(uint32_t c) { return c >= 0xD800 && c <= 0xDFFF; }

static bool is_dot_name(const uint16_t *u, int n)
{
    return (n == 1 && u[0] == '.') || (n == 2 && u[0] == '.' && u[1] == '.');
}

/* Characters FatFs refuses in a name, plus the separators: a component
 * handed to us must not contain them. */
bool vb_fatname_illegal_char(uint32_t c)
{
    if (c < 0x20 || c == 0x7F)
        return true;
    switch (c) {
    case '"': case '*': case ':': case '<': case '>': case '?': case '|':
    case '/': case '\\':
        return true;
    default:
        return false;
    }
}

static bool is_forbidden(uint32_t c) { return vb_fatname_illegal_char(c); }

/* --- untrusted names (a crafted image) -------------------------------------- */

/* Character i of a name held as bytes or as UTF-16 units. */
static uint32_t name_at(const void *name, bool units, size_t i)
{
    return units ? ((const uint16_t *)name)[i] : ((const unsigned char *)name)[i];
}

/* The one rule behind vb_fatname_check and vb_fatname_check_units. */
static vb_fatname_unsafe check_name(const void *name, bool units, size_t n)
{
    if (n == 0)
        return VB_FATNAME_EMPTY;
    if (name_at(name, units, 0) == '.' &&
        (n == 1 || (n == 2 && name_at(name, units, 1) == '.')))
        return VB_FATNAME_DOT;
    vb_fatname_unsafe why = VB_FATNAME_SAFE;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = name_at(name, units, i);
        if (c == '/' || c == '\\')
            return VB_FATNAME_SEPARATOR;
        if (c < 0x20 || c == 0x7F)
            why = VB_FATNAME_CONTROL;
        else if (why == VB_FATNAME_SAFE && vb_fatname_illegal_char(c))
            why = VB_FATNAME_ILLEGAL;
    }
    if (why != VB_FATNAME_SAFE)
        return why;
    uint32_t last = name_at(name, units, n - 1);
    return last == '.' || last == ' ' ? VB_FATNAME_TRAILING : VB_FATNAME_SAFE;
}

vb_fatname_unsafe vb_fatname_check(const char *name, size_t len)
{
    return check_name(name, false, len);
}

vb_fatname_unsafe vb_fatname_check_units(const uint16_t *u, size_t n)
{
    return check_name(u, true, n);
}

const char *vb_fatname_unsafe_text(vb_fatname_unsafe why)
{
    switch (why) {
    case VB_FATNAME_SAFE: return "a valid name";
    case VB_FATNAME_EMPTY: return "an empty name";
    case VB_FATNAME_DOT: return "\".\" and \"..\" cannot name an entry";
    case VB_FATNAME_SEPARATOR: return "contains a path separator ('/' or '\\')";
    case VB_FATNAME_CONTROL: return "contains a NUL or control character";
    case VB_FATNAME_ILLEGAL: return "contains a character FAT forbids (\" * : < > ? |)";
    case VB_FATNAME_TRAILING: return "ends in a dot or a space, which FAT drops";
    }
    return "not a valid name";
}

/* --- decode / encode ------------------------------------------------------ */

/* One strictly valid UTF-8 character from s[*i..len): the code point, or -1
 * for a bad lead byte, a missing continuation, an overlong form, a surrogate
 * or a value above U+10FFFF. */
static int32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
    unsigned lead = s[(*i)++];
    int extra;
    uint32_t c, min;

    if (lead < 0x80)
        return (int32_t)lead;
    if ((lead & 0xE0) == 0xC0) {
        extra = 1; c = lead & 0x1F; min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        extra = 2; c = lead & 0x0F; min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        extra = 3; c = lead & 0x07; min = 0x10000;
    } else {
        return -1;
    }
    while (extra-- > 0) {
        if (*i >= len || (s[*i] & 0xC0) != 0x80)
            return -1;
        c = c << 6 | (s[(*i)++] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || is_surrogate(c))
        return -1;
    return (int32_t)c;
}

int vb_fatname_decode(const char *comp, size_t len, vb_fat_names mode,
                      uint16_t out[VB_FAT_NAME_MAX + 1])
{
    const unsigned char *s = (const unsigned char *)comp;
    size_t i = 0;
    int n = 0;

    while (i < len) {
        int32_t c;
        if (mode == VB_FAT_NAMES_UTF8) {
            c = utf8_next(s, len, &i);
            /* Beyond the BMP would need a surrogate pair: not supported. */
            if (c < 0 || c > 0xFFFF)
                return -EINVAL;
        } else {
            c = vb_cp437_to_uni(s[i++]);
        }
        if (is_forbidden((uint32_t)c))
            return -EINVAL;
        /* FatFs counts the raw component, trailing dots and spaces included. */
        if (n >= VB_FAT_NAME_MAX)
            return -EINVAL;
        out[n++] = (uint16_t)c;
    }
    out[n] = 0;
    if (is_dot_name(out, n))
        return n;
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '.'))
        n--;
    out[n] = 0;
    return n > 0 ? n : -EINVAL;
}

static size_t utf8_put(uint32_t c, unsigned char b[4])
{
    if (c < 0x80) {
        b[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        b[0] = (unsigned char)(0xC0 | c >> 6);
        b[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        b[0] = (unsigned char)(0xE0 | c >> 12);
        b[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
        b[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    b[0] = (unsigned char)(0xF0 | c >> 18);
    b[1] = (unsigned char)(0x80 | (c >> 12 & 0x3F));
    b[2] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
    b[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

int vb_fatname_encode(const uint16_t *u, int n, vb_fat_names mode,
                      char *out, size_t outlen)
{
    size_t pos = 0;
    int err = 0;

    for (int k = 0; k < n; k++) {
        uint32_t c = u[k];
        unsigned char b[4];
        size_t nb;

        if (is_surrogate(c)) {
            /* Only UTF-8 can carry a pair; a lone half is never valid. */
            if (mode != VB_FAT_NAMES_UTF8 || c > 0xDBFF || k + 1 >= n ||
                u[k + 1] < 0xDC00 || u[k + 1] > 0xDFFF) {
                err = -EILSEQ;
                break;
            }
            c = 0x10000 + ((c - 0xD800) << 10) + (uint32_t)(u[++k] - 0xDC00);
        }
        if (c == 0) {               /* would end the C string early */
            err = -EILSEQ;
            break;
        }
        if (mode == VB_FAT_NAMES_UTF8) {
            nb = utf8_put(c, b);
        } else {
            b[0] = vb_cp437_from_uni((uint16_t)c);
            if (b[0] == 0) {
                err = -EILSEQ;
                break;
            }
            nb = 1;
        }
        if (pos + nb >= outlen) {   /* keep a byte for the NUL */
            err = -ENAMETOOLONG;
            break;
        }
        memcpy(out + pos, b, nb);
        pos += nb;
    }
    if (outlen == 0)
        return err ? err : -ENAMETOOLONG;
    if (err) {
        out[0] = '\0';
        return err;
    }
    out[pos] = '\0';
    return (int)pos;
}

/* --- 8.3 aliases ------------------------------------------------------------ */

int vb_fatname_basis(const uint16_t *u, int n, vb_fatname_sfn *out)
{
    memset(out, 0, sizeof *out);
    memset(out->sfn, ' ', sizeof out->sfn);
    if (n < 1 || n > VB_FAT_NAME_MAX)
        return -EINVAL;
    if (is_dot_name(u, n)) {
        memset(out->sfn, '.', (size_t)n);
        out->is_dot = true;
        return 0;
    }

    bool loss = false, lfn = false;
    int p = 0;
    while (p < n && u[p] == ' ')
        p++;
    if (p > 0 || (p < n && u[p] == '.'))
        loss = true;                /* leading spaces or dot cannot be kept */
    int last_dot = n - 1;
    while (last_dot >= 0 && u[last_dot] != '.')
        last_dot--;                 /* -1: no extension */

    /* Case seen in each part: bit 0 lower, bit 1 upper. */
    unsigned body_case = 0, ext_case = 0, *part_case = &body_case;
    int i = 0, limit = 8;
    bool in_ext = false;

    for (; p < n; p++) {
        uint16_t c = u[p];
        if (c == ' ' || (c == '.' && p != last_dot)) {
            loss = true;            /* spaces and inner dots are dropped */
            continue;
        }
        if (i >= limit || p == last_dot) {
            if (in_ext) {           /* extension longer than 3 */
                loss = true;
                break;
            }
            if (p != last_dot)
                loss = true;        /* base longer than 8 */
            if (p > last_dot)
                break;              /* and no extension follows */
            p = last_dot;           /* resume right after the last dot */
            i = 8;
            limit = 11;
            in_ext = true;
            part_case = &ext_case;
            continue;
        }
        uint8_t b;
        if (c >= 0x80) {
            lfn = true;             /* only the long name keeps it exactly */
            b = vb_cp437_from_uni(c);
            if (b != 0)
                b = vb_cp437_upper(b);
        } else {
            b = (uint8_t)c;
        }
        if (b == 0 || strchr("+,;=[]", b) != NULL) {
            b = '_';
            loss = true;
        } else if (b >= 'A' && b <= 'Z') {
            *part_case |= 2;
        } else if (b >= 'a' && b <= 'z') {
            *part_case |= 1;
            b = (uint8_t)(b - 0x20);
        }
        out->sfn[i++] = b;
    }

    if (out->sfn[0] == 0xE5)
        out->sfn[0] = 0x05;         /* 0xE5 would read as "deleted" */
    if (body_case == 3 || ext_case == 3)
        lfn = true;                 /* mixed case: the NT byte cannot say it */
    if (loss)
        lfn = true;
    if (!lfn)
        out->nt = (uint8_t)((body_case & 1 ? VB_FATNAME_NT_BODY : 0) |
                            (ext_case & 1 ? VB_FATNAME_NT_EXT : 0));
    out->need_lfn = lfn;
    out->lossy = loss;
    return 0;
}

void vb_fatname_add_tail(uint8_t out[11], const uint8_t basis[11],
                         const uint16_t *lfn, int n, unsigned seq)
{
    uint8_t sfn[11];
    uint32_t v = seq;
    char tail[8];
    int t = 8, j = 0;

    memcpy(sfn, basis, sizeof sfn);

    if (seq > 5) {
        /* Many collisions: a hash of the long name spreads the tries. */
        uint32_t sr = seq;
        for (int k = 0; k < n; k++) {
            uint16_t w = lfn[k];
            for (int bit = 0; bit < 16; bit++) {
                sr = (sr << 1) | (w & 1u);
                w >>= 1;
                if (sr & 0x10000)
                    sr ^= 0x11021;
            }
        }
        v = sr;
    }
    do {                            /* hex digits, right to left */
        unsigned d = v % 16;
        tail[--t] = (char)(d < 10 ? '0' + d : 'A' + d - 10);
        v /= 16;
    } while (v != 0 && t > 1);
    tail[--t] = '~';

    while (j < t && sfn[j] != ' ')
        j++;
    for (int k = t; k < 8; k++)
        sfn[j++] = (uint8_t)tail[k];
    while (j < 8)
        sfn[j++] = ' ';
    memcpy(out, sfn, sizeof sfn);
}

uint8_t vb_fatname_checksum(const uint8_t sfn[11])
{
    uint8_t sum = 0;
    for (int k = 0; k < 11; k++)
        sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sfn[k]);
    return sum;
}

/* --- LFN slots -------------------------------------------------------------- */

int vb_fatname_lfn_slots(int n)
{
    return n > 0 ? (n + VB_FATNAME_SLOT_CHARS - 1) / VB_FATNAME_SLOT_CHARS : 0;
}

int vb_fatname_lfn_pack(uint8_t slot[32], const uint16_t *lfn, int n, int ord,
                        uint8_t sum)
{
    int slots = vb_fatname_lfn_slots(n);
    if (n < 1 || n > VB_FAT_NAME_MAX || ord < 1 || ord > slots)
        return -EINVAL;

    memset(slot, 0, 32);            /* type 12 and cluster 26–27 stay 0 */
    slot[0] = (uint8_t)(ord | (ord == slots ? VB_FATNAME_LAST_SLOT : 0));
    slot[11] = LFN_ATTR;
    slot[13] = sum;
    int base = (ord - 1) * VB_FATNAME_SLOT_CHARS;
    for (int s = 0; s < VB_FATNAME_SLOT_CHARS; s++) {
        int idx = base + s;
        uint16_t w = idx < n ? lfn[idx] : idx == n ? 0x0000 : 0xFFFF;
        vb_st16(slot + slot_unit_off[s], w);
    }
    return 0;
}

int vb_fatname_lfn_unpack(const uint8_t slot[32],
                          uint16_t buf[VB_FATNAME_LFN_BUF], bool *terminated)
{
    if (terminated)
        *terminated = false;
    if (vb_ld16(slot + SLOT_CLUSTER_OFF) != 0)
        return -EINVAL;
    unsigned ord = slot[0] & (uint8_t)~VB_FATNAME_LAST_SLOT;
    if (ord == 0)
        return -EINVAL;

    size_t idx = (size_t)(ord - 1) * VB_FATNAME_SLOT_CHARS;
    bool ended = false;
    int count = 0;
    for (int s = 0; s < VB_FATNAME_SLOT_CHARS; s++) {
        uint16_t w = vb_ld16(slot + slot_unit_off[s]);
        if (ended) {
            if (w != 0xFFFF)        /* fillers after the terminator */
                return -EINVAL;
            continue;
        }
        if (idx >= VB_FATNAME_LFN_BUF)
            return -EINVAL;         /* longer than 255 units */
        buf[idx++] = w;
        if (w == 0)
            ended = true;
        else
            count++;
    }
    if ((slot[0] & VB_FATNAME_LAST_SLOT) && !ended) {
        /* The name fills its highest slot exactly: terminate it here. */
        if (idx >= VB_FATNAME_LFN_BUF)
            return -EINVAL;
        buf[idx] = 0;
    }
    if (terminated)
        *terminated = ended;
    return count;
}

/* --- showing 8.3 names -------------------------------------------------------- */

/* Format an 8.3 name as FatFs's get_fileinfo does. `nt` selects the parts
 * shown in lower case. Returns the length or -ENAMETOOLONG. */
static int sfn_format(const uint8_t sfn[11], uint8_t nt, vb_fat_names mode,
                      char *out, size_t outlen)
{
    size_t pos = 0;
    uint8_t part = VB_FATNAME_NT_BODY;

    if (outlen == 0)
        return -ENAMETOOLONG;
    for (int k = 0; k < 11; k++) {
        uint8_t b = sfn[k];
        unsigned char enc[5];
        size_t nb = 0;

        if (b == 0)
            break;                  /* a corrupt name ends at a NUL byte */
        if (b == ' ')
            continue;
        if (b == 0x05)
            b = 0xE5;
        if (k == 8)
            enc[nb++] = '.';        /* only when byte 8 is not a space */
        if (b == '.' || k == 8)
            part = VB_FATNAME_NT_EXT;
        if (b >= 'A' && b <= 'Z' && (nt & part))
            b = (uint8_t)(b + 0x20);
        if (mode == VB_FAT_NAMES_UTF8)
            nb += utf8_put(vb_cp437_to_uni(b), enc + nb);
        else
            enc[nb++] = b;
        if (pos + nb >= outlen) {
            out[0] = '\0';
            return -ENAMETOOLONG;
        }
        memcpy(out + pos, enc, nb);
        pos += nb;
    }
    out[pos] = '\0';
    return (int)pos;
}

int vb_fatname_sfn_to_name(const uint8_t sfn[11], uint8_t nt, vb_fat_names mode,
                           char *out, size_t outlen)
{
    int r = sfn_format(sfn, nt, mode, out, outlen);
    if (r == 0) {
        /* Neither a long nor a short name: FatFs shows "?". */
        if (outlen < 2)
            return -ENAMETOOLONG;
        out[0] = '?';
        out[1] = '\0';
        r = 1;
    }
    return r;
}

void vb_fatname_sfn_short(const uint8_t sfn[11], char out[VB_FATNAME_SHORT_BUF])
{
    /* 8 + '.' + 3 bytes always fit in 13 with the NUL. */
    (void)sfn_format(sfn, 0, VB_FAT_NAMES_OEM, out, VB_FATNAME_SHORT_BUF);
}

/* --- case folding ------------------------------------------------------------- */

/* Upper-case mapping with the coverage of FatFs's ff_wtoupper, as runs:
 * every unit c in [lo, hi] with (c − lo) divisible by step maps to c + delta.
 * Step 2 runs are the alternating lower/upper pairs of Latin Extended,
 * Cyrillic and Coptic. Sorted by lo, non-overlapping. */
typedef struct case_run {
    uint16_t lo, hi;
    uint8_t step;
    int16_t delta;
} case_run;

static const case_run upper_runs[] = {
    /* Basic Latin, Latin-1, Latin Extended-A/B, IPA */
    {0x0061, 0x007A, 1, -32}, {0x00E0, 0x00F6, 1, -32}, {0x00F8, 0x00FE, 1, -32},
    {0x00FF, 0x00FF, 1, 121}, {0x0101, 0x012F, 2, -1}, {0x0133, 0x0137, 2, -1},
    {0x013A, 0x0148, 2, -1}, {0x014B, 0x0177, 2, -1}, {0x017A, 0x017E, 2, -1},
    {0x0180, 0x0180, 1, 195}, {0x0183, 0x0185, 2, -1}, {0x0188, 0x0188, 1, -1},
    {0x018C, 0x018C, 1, -1}, {0x0192, 0x0192, 1, -1}, {0x0195, 0x0195, 1, 97},
    {0x0199, 0x0199, 1, -1}, {0x019A, 0x019A, 1, 163}, {0x019E, 0x019E, 1, 130},
    {0x01A1, 0x01A5, 2, -1}, {0x01A8, 0x01A8, 1, -1}, {0x01AD, 0x01AD, 1, -1},
    {0x01B0, 0x01B0, 1, -1}, {0x01B4, 0x01B6, 2, -1}, {0x01B9, 0x01B9, 1, -1},
    {0x01BD, 0x01BD, 1, -1}, {0x01BF, 0x01BF, 1, 56}, {0x01C6, 0x01C6, 1, -2},
    {0x01C9, 0x01C9, 1, -2}, {0x01CC, 0x01CC, 1, -2}, {0x01CE, 0x01DC, 2, -1},
    {0x01DD, 0x01DD, 1, -79}, {0x01DF, 0x01EF, 2, -1}, {0x01F3, 0x01F3, 1, -2},
    {0x01F5, 0x01F5, 1, -1}, {0x01F9, 0x021F, 2, -1}, {0x0223, 0x0233, 2, -1},
    {0x023A, 0x023A, 1, 10795}, {0x023C, 0x023C, 1, -1}, {0x023E, 0x023E, 1, 10792},
    {0x0242, 0x0242, 1, -1}, {0x0247, 0x024F, 2, -1}, {0x0253, 0x0253, 1, -210},
    {0x0254, 0x0254, 1, -206}, {0x0256, 0x0257, 1, -205}, {0x0259, 0x0259, 1, -202},
    {0x025B, 0x025B, 1, -203}, {0x0260, 0x0260, 1, -205}, {0x0263, 0x0263, 1, -207},
    {0x0268, 0x0268, 1, -209}, {0x0269, 0x0269, 1, -211}, {0x026B, 0x026B, 1, 10743},
    {0x026F, 0x026F, 1, -211}, {0x0272, 0x0272, 1, -213}, {0x0275, 0x0275, 1, -214},
    {0x027D, 0x027D, 1, 10727}, {0x0280, 0x0280, 1, -218}, {0x0283, 0x0283, 1, -218},
    {0x0288, 0x0288, 1, -218}, {0x0289, 0x0289, 1, -69}, {0x028A, 0x028B, 1, -217},
    {0x028C, 0x028C, 1, -71}, {0x0292, 0x0292, 1, -219},
    /* Greek, Cyrillic, Armenian */
    {0x037B, 0x037D, 1, 130}, {0x03AC, 0x03AC, 1, -38}, {0x03AD, 0x03AF, 1, -37},
    {0x03B1, 0x03C1, 1, -32}, {0x03C2, 0x03C2, 1, -31}, {0x03C3, 0x03CB, 1, -32},
    {0x03CC, 0x03CC, 1, -64}, {0x03CD, 0x03CE, 1, -63}, {0x03D9, 0x03EF, 2, -1},
    {0x03F2, 0x03F2, 1, 7}, {0x03F8, 0x03F8, 1, -1}, {0x03FB, 0x03FB, 1, -1},
    {0x0430, 0x044F, 1, -32}, {0x0450, 0x045F, 1, -80}, {0x0461, 0x0481, 2, -1},
    {0x048B, 0x04BF, 2, -1}, {0x04C2, 0x04CE, 2, -1}, {0x04CF, 0x04CF, 1, -15},
    {0x04D1, 0x0513, 2, -1}, {0x0561, 0x0586, 1, -48},
    /* Phonetic, Latin Extended Additional, Greek Extended */
    {0x1D7D, 0x1D7D, 1, 3814}, {0x1E01, 0x1E95, 2, -1}, {0x1EA1, 0x1EF9, 2, -1},
    {0x1F00, 0x1F07, 1, 8}, {0x1F10, 0x1F15, 1, 8}, {0x1F20, 0x1F27, 1, 8},
    {0x1F30, 0x1F37, 1, 8}, {0x1F40, 0x1F45, 1, 8}, {0x1F51, 0x1F57, 2, 8},
    {0x1F60, 0x1F67, 1, 8}, {0x1F70, 0x1F71, 1, 74}, {0x1F72, 0x1F75, 1, 86},
    {0x1F76, 0x1F77, 1, 100}, {0x1F78, 0x1F79, 1, 128}, {0x1F7A, 0x1F7B, 1, 112},
    {0x1F7C, 0x1F7D, 1, 126}, {0x1F80, 0x1F87, 1, 8}, {0x1F90, 0x1F97, 1, 8},
    {0x1FA0, 0x1FA7, 1, 8}, {0x1FB0, 0x1FB1, 1, 8}, {0x1FB3, 0x1FB3, 1, 9},
    {0x1FCC, 0x1FCC, 1, -9}, {0x1FD0, 0x1FD1, 1, 8}, {0x1FE0, 0x1FE1, 1, 8},
    {0x1FE5, 0x1FE5, 1, 7}, {0x1FF3, 0x1FF3, 1, 9},
    /* Letter-like, number forms, enclosed, Glagolitic, Latin Extended-C, Coptic, Georgian */
    {0x214E, 0x214E, 1, -28}, {0x2170, 0x217F, 1, -16}, {0x2184, 0x2184, 1, -1},
    {0x24D0, 0x24E9, 1, -26}, {0x2C30, 0x2C5E, 1, -48}, {0x2C61, 0x2C61, 1, -1},
    {0x2C68, 0x2C6C, 2, -1}, {0x2C76, 0x2C76, 1, -1}, {0x2C81, 0x2CE3, 2, -1},
    {0x2D00, 0x2D25, 1, -7264},
    /* Full-width Latin */
    {0xFF41, 0xFF5A, 1, -32},
};

uint16_t vb_fatname_upper(uint16_t c)
{
    size_t lo = 0, hi = sizeof upper_runs / sizeof upper_runs[0];

    /* Find the first run ending at or after c. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (upper_runs[mid].hi < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < sizeof upper_runs / sizeof upper_runs[0]) {
        const case_run *r = &upper_runs[lo];
        if (c >= r->lo && (c - r->lo) % r->step == 0)
            return (uint16_t)(c + r->delta);
    }
    return c;
}

bool vb_fatname_equal(const uint16_t *a, int na, const uint16_t *b, int nb)
{
    if (na != nb)
        return false;
    for (int k = 0; k < na; k++)
        if (vb_fatname_upper(a[k]) != vb_fatname_upper(b[k]))
            return false;
    return true;
}

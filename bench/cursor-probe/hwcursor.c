/* bench/cursor-probe: an opaque 64x64 hardware cursor (a red triangle) on
 * the first active CRTC, so that QEMU has a cursor shape to send (weston's
 * pixman renderer never uses the cursor plane). The legacy DRM cursor
 * ioctls need DRM master: run it with no compositor. Linked statically (the
 * guest has no compiler); keeps the cursor for 10 minutes. */
#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int fd = open(argc > 1 ? argv[1] : "/dev/dri/card0", O_RDWR);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    ioctl(fd, DRM_IOCTL_SET_MASTER, 0);
    uint32_t crtcs[8];
    struct drm_mode_card_res res = {0};
    res.crtc_id_ptr = (uintptr_t)crtcs;
    res.count_crtcs = 8;
    if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res)) {
        perror("getresources");
        return 1;
    }
    uint32_t crtc = 0;
    for (unsigned i = 0; i < res.count_crtcs && i < 8; ++i) {
        struct drm_mode_crtc c = {0};
        c.crtc_id = crtcs[i];
        if (ioctl(fd, DRM_IOCTL_MODE_GETCRTC, &c) == 0 && c.mode_valid) {
            crtc = crtcs[i];
            break;
        }
    }
    if (!crtc) {
        fprintf(stderr, "no active crtc (of %u)\n", res.count_crtcs);
        crtc = crtcs[0];
    }
    struct drm_mode_create_dumb dumb = {0};
    dumb.width = 64;
    dumb.height = 64;
    dumb.bpp = 32;
    if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb)) {
        perror("create_dumb");
        return 1;
    }
    struct drm_mode_map_dumb map = {0};
    map.handle = dumb.handle;
    if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map)) {
        perror("map_dumb");
        return 1;
    }
    uint32_t *px = mmap(0, dumb.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, map.offset);
    if (px == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    /* An opaque red triangle (the upper-left half), the rest transparent. */
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x)
            px[y * (dumb.pitch / 4) + x] = x + y < 64 ? 0xffff0000u : 0x00000000u;
    struct drm_mode_cursor2 cur = {0};
    cur.flags = DRM_MODE_CURSOR_BO;
    cur.crtc_id = crtc;
    cur.width = 64;
    cur.height = 64;
    cur.handle = dumb.handle;
    cur.hot_x = 0;
    cur.hot_y = 0;
    if (ioctl(fd, DRM_IOCTL_MODE_CURSOR2, &cur)) {
        perror("cursor2");
        return 1;
    }
    printf("cursor set on crtc %u\n", crtc);
    fflush(stdout);
    for (int i = 0; i < 600; ++i) {
        struct drm_mode_cursor mv = {0};
        mv.flags = DRM_MODE_CURSOR_MOVE;
        mv.crtc_id = crtc;
        mv.x = 100 + (i % 50) * 10;
        mv.y = 200;
        ioctl(fd, DRM_IOCTL_MODE_CURSOR, &mv);
        sleep(1);
    }
    return 0;
}

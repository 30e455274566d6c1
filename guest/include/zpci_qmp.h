/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QMP from inside the bench's QEMU guest: a guest program that needs the
 * host side (device_del/device_add of a zPCI function, the access counters
 * or the fault injection of QEMU's s390-ism-test device) writes QMP
 * commands to the virtio-serial port named "qmp-relay", which
 * scripts/qmp-relay.py on the host connects to QEMU's QMP monitor, one
 * JSON line each way.
 *
 * The selftests of the series do not talk QMP: they ask the platform hook,
 * /bin/zpci-platform (guest/qmp/zpci-platform.c), which does. Without the
 * port the helpers return -ENODEV.
 */
#ifndef ZPCI_QMP_H
#define ZPCI_QMP_H

#include <stddef.h>
#include <stdint.h>

int zpci_qmp_open(void);
int zpci_qmp_cmd(int fd, const char *cmd, char *reply, size_t len);
int zpci_qmp_qom_get(int fd, const char *path, const char *prop, char *val,
		     size_t len);
int zpci_qmp_qom_set(int fd, const char *path, const char *prop,
		     const char *json);
int zpci_qmp_qom_get_u64_at(int fd, const char *path, const char *prop,
			    uint64_t *val);
int zpci_qmp_qom_get_u64(int fd, uint32_t fid, const char *prop,
			 uint64_t *val);
int zpci_qmp_target(int fd, uint32_t fid, char *path, size_t len);
void zpci_qmp_zpci_path(uint32_t fid, char *path, size_t len);

#endif /* ZPCI_QMP_H */

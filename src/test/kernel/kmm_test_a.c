// SPDX-License-Identifier: GPL-2.0
/*
 * A real out-of-tree module for KMM's kernel test (KernelLoadIT): it takes two parameters and, when loaded, reads
 * a firmware file the loader must have copied to the firmware directory first, so a load in the wrong order fails.
 */
#include <linux/firmware.h>
#include <linux/module.h>

static char *greeting = "none";
module_param(greeting, charp, 0444);
MODULE_PARM_DESC(greeting, "a word the test checks in /sys/module/kmm_test_a/parameters/greeting");

static int level;
module_param(level, int, 0444);
MODULE_PARM_DESC(level, "a number the test checks in /sys/module/kmm_test_a/parameters/level");

static int __init kmm_test_a_init(void)
{
	const struct firmware *fw;
	int err = request_firmware_direct(&fw, "kmm-test/firmware.bin", NULL);

	if (err) {
		pr_err("kmm_test_a: firmware kmm-test/firmware.bin not found (%d)\n", err);
		return err;
	}
	pr_info("kmm_test_a: loaded greeting=%s level=%d firmware=%zu bytes\n", greeting, level, fw->size);
	release_firmware(fw);
	return 0;
}

static void __exit kmm_test_a_exit(void)
{
	pr_info("kmm_test_a: unloaded\n");
}

module_init(kmm_test_a_init);
module_exit(kmm_test_a_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KMM kernel test module (loaded first)");

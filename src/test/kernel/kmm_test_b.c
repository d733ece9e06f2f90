// SPDX-License-Identifier: GPL-2.0
/*
 * The second module of KMM's kernel test: loaded after kmm_test_a (modprobe.modulesLoadingOrder) and unloaded
 * before it. Nothing tells modprobe about the order: that is what modulesLoadingOrder is for.
 */
#include <linux/module.h>

static int __init kmm_test_b_init(void)
{
	pr_info("kmm_test_b: loaded\n");
	return 0;
}

static void __exit kmm_test_b_exit(void)
{
	pr_info("kmm_test_b: unloaded\n");
}

module_init(kmm_test_b_init);
module_exit(kmm_test_b_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KMM kernel test module (loaded second)");

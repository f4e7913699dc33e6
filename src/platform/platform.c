/* Platform registry: --platform NAME looks platforms up here. */
#include <string.h>

#include "cvisor/platform.h"

extern const struct platform_ops ptrace_platform_ops, systrap_platform_ops;

static const struct platform_ops *const platforms[] = {
	&ptrace_platform_ops,
	&systrap_platform_ops,
};

const struct platform_ops *platform_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(platforms); i++)
		if (strcmp(platforms[i]->name, name) == 0)
			return platforms[i];
	return NULL;
}

const char *platform_names(void)
{
	return "ptrace, systrap";
}

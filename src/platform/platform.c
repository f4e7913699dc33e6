/* Platform registry: --platform NAME looks platforms up here. */
#include <stdio.h>
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

const struct platform_ops *platform_default(void)
{
	const char *why;
	if (systrap_supported(&why))
		return &systrap_platform_ops;
	fprintf(stderr, "cvisor: platform systrap unavailable (%s): using ptrace\n", why);
	return &ptrace_platform_ops;
}

const char *platform_names(void)
{
	return "ptrace, systrap";
}

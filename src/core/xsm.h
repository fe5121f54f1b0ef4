/*
 * xsm.h - Xen's default (dummy) XSM policy, xsm/dummy.h's
 * xsm_default_action(): who may do what.  A refusal is -EPERM.
 *
 *   XSM_HOOK     anyone
 *   XSM_TARGET   the target itself, its device model (src->target), the
 *                control domain
 *   XSM_XS_PRIV  the xenstore domain, the control domain
 *   XSM_DM_PRIV  the target's device model, the control domain
 *   XSM_PRIV     the control domain
 */
#ifndef XENMM_CORE_XSM_H
#define XENMM_CORE_XSM_H

#include <errno.h>

#include "core.h"

enum xsm_default {
    XSM_HOOK,
    XSM_DM_PRIV,
    XSM_TARGET,
    XSM_PRIV,
    XSM_XS_PRIV,
};

static inline int xsm_default_action(enum xsm_default action,
                                     const struct domain *src,
                                     const struct domain *target)
{
    switch ( action )
    {
    case XSM_HOOK:
        return 0;
    case XSM_TARGET:
        if ( src == target )
            return 0;
        /* fallthrough */
    case XSM_XS_PRIV:
        if ( action == XSM_XS_PRIV && is_xenstore_domain(src) )
            return 0;
        /* fallthrough */
    case XSM_DM_PRIV:
        if ( target && src->target == target )
            return 0;
        /* fallthrough */
    case XSM_PRIV:
        if ( is_control_domain(src) )
            return 0;
        return -EPERM;
    }
    return -EPERM;
}

#endif /* XENMM_CORE_XSM_H */

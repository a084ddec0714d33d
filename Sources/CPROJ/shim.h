#ifndef FANOUT_CPROJ_SHIM_H
#define FANOUT_CPROJ_SHIM_H
#include <proj.h>
#include <geodesic.h>
#endif

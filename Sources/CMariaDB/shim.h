#ifndef CMARIADB_SHIM_H
#define CMARIADB_SHIM_H
// <mariadb/mysql.h> uses size_t without including <stddef.h> first.
#include <stddef.h>
#include <mariadb/mysql.h>
#endif

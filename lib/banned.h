/*
 * banned: calls that tlab code must not make.  Included last by every file
 * of lib/ and cmd/ (through tlab.h), it turns them into compile errors.
 * sprintf and friends overflow; strcpy and strcat too; system and popen
 * hand a string to a shell, which is how a runvar value becomes code.
 * Build strings with strbuf, commands with argv lists (lib/proc, lib/ssh).
 */
#ifndef TLAB_BANNED_H
#define TLAB_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_tlab

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef system
#define system(x) BANNED(system)
#undef popen
#define popen(x, y) BANNED(popen)
#undef gets
#define gets(x) BANNED(gets)

#endif

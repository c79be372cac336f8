/* pingpong.c -- the C floor of the ping-pong: 100 bytes each way.
   Copyright (C) 2026 The guile-vicare-compat authors
   SPDX-License-Identifier: GPL-3.0-or-later

   Usage: pingpong socket|pipe ROUND-TRIPS
   Prints the seconds per round trip: a child echoes 100-byte messages
   the parent sends, over a socketpair or two pipes, with read(2) and
   write(2).  */

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SIZE 100

static void
full_read (int fd, char *b)
{
  size_t got = 0;
  while (got < SIZE)
    {
      ssize_t r = read (fd, b + got, SIZE - got);
      if (r <= 0)
        exit (1);
      got += (size_t) r;
    }
}

static void
full_write (int fd, const char *b)
{
  if (write (fd, b, SIZE) != SIZE)
    exit (1);
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    return 2;
  long n = atol (argv[2]);
  int pin, pout, cin, cout;
  if (strcmp (argv[1], "socket") == 0)
    {
      int s[2];
      if (socketpair (AF_UNIX, SOCK_STREAM, 0, s))
        return 1;
      pin = pout = s[0];
      cin = cout = s[1];
    }
  else
    {
      int a[2], b[2];
      if (pipe (a) || pipe (b))
        return 1;
      pout = a[1];
      cin = a[0];
      cout = b[1];
      pin = b[0];
    }
  char buf[SIZE];
  memset (buf, 7, SIZE);
  pid_t pid = fork ();
  if (pid == 0)
    {
      for (long i = 0; i < n; i++)
        {
          full_read (cin, buf);
          full_write (cout, buf);
        }
      _exit (0);
    }
  struct timespec t0, t1;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++)
    {
      full_write (pout, buf);
      full_read (pin, buf);
    }
  clock_gettime (CLOCK_MONOTONIC, &t1);
  waitpid (pid, NULL, 0);
  printf ("%.9f\n", ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9)
          / n);
  return 0;
}

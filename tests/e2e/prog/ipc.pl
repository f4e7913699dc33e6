# System V shared memory, semaphores and message queues through perl's
# IPC::SysV classes, with fork: run natively and inside cvisor, the output
# must match. Every object is IPC_PRIVATE and removed at the end.
use IPC::SysV qw(IPC_PRIVATE IPC_CREAT IPC_RMID S_IRUSR S_IWUSR IPC_NOWAIT SEM_UNDO);
use IPC::SharedMem; use IPC::Semaphore; use IPC::Msg;
my $shm = IPC::SharedMem->new(IPC_PRIVATE, 8192, S_IRUSR|S_IWUSR|IPC_CREAT) or die "shm $!";
$shm->write("hello", 0, 5);
my $pid = fork();
if (!$pid) { my $d = $shm->read(0, 5); $shm->write(uc $d, 100, 5); exit 0; }
waitpid($pid, 0);
print "shm: ", $shm->read(100, 5), " nattch=", $shm->stat->nattch, " size=", $shm->stat->segsz, "\n";
$shm->remove;
my $sem = IPC::Semaphore->new(IPC_PRIVATE, 2, S_IRUSR|S_IWUSR|IPC_CREAT) or die "sem $!";
$sem->setall(3, 0);
$pid = fork();
if (!$pid) { $sem->op(1, -1, 0); $sem->op(0, -1, SEM_UNDO); exit 0; }
sleep 1; $sem->op(1, 1, 0); waitpid($pid, 0);
print "sem: ", join(",", $sem->getall), " nsems=", $sem->stat->nsems, "\n";
$sem->remove;
my $msg = IPC::Msg->new(IPC_PRIVATE, S_IRUSR|S_IWUSR|IPC_CREAT) or die "msg $!";
$msg->snd(2, "two"); $msg->snd(1, "one");
my $buf; $msg->rcv($buf, 100, -2); print "msg: $buf qnum=", $msg->stat->qnum, "\n";
$msg->remove;

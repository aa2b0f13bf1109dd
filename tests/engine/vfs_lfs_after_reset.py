# After vb_pyfs_close_all (what a soft reset does before the VM goes): the
# littlefs file was closed before the board file its device writes to, so
# a new device over the same board file mounts with the data there.
print(left.closed, fd.f.closed)
err(left.write, 'late')
vfs.umount('/fd')
vfs.mount(FileDev('/bdev.img'), '/fd2')
print(os.listdir('/fd2'), open('/fd2/left.txt').read())
vfs.umount('/fd2')
print(vfs.mount())

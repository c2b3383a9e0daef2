using System.Text;

namespace HealthCode.Trust.Keys;

/// <summary>
/// Writes files so that a reader, or a crash, never sees half of one: the content goes to a temporary file in the same
/// folder (same file system), is flushed to disk, and is then renamed into place. POSIX rename(2) replaces a name
/// atomically; <see cref="File.Move(string, string, bool)"/> without overwrite links the new name only when it is free.
/// Public for the service's other small state files (the audit chain's witness), which need the same guarantee.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Creates <paramref name="path"/>; throws <see cref="IOException"/> and leaves it alone when it exists.</summary>
    /// <param name="path">The file to create.</param>
    /// <param name="content">Its text, written as UTF-8 without a byte order mark.</param>
    /// <param name="ownerOnly">Readable and writable by its owner only (a private key), from the moment it exists.</param>
    /// <exception cref="IOException">The file exists already.</exception>
    public static void Create(string path, string content, bool ownerOnly) => Write(path, content, ownerOnly, overwrite: false);

    /// <summary>Creates or replaces <paramref name="path"/> in one step.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="content">Its text, written as UTF-8 without a byte order mark.</param>
    public static void Replace(string path, string content) => Write(path, content, ownerOnly: false, overwrite: true);

    private static void Write(string path, string content, bool ownerOnly, bool overwrite)
    {
        if (!overwrite && File.Exists(path))
        {
            throw new IOException($"{path} exists already; key files and signed manifests are never overwritten.");
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            // The private key is never readable by others, not even for the moment before the rename.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Utf8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}

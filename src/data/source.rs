//! Where a loader reads files from: a folder, or a `.tar`/`.tar.gz`/`.tgz`/`.tar.xz` archive
//! read into memory (so the shared data's tarballs load without unpacking). Paths inside a source
//! are relative, `/`-separated; an archive's single top-level folder is stripped, so
//! `qlib_csi300_subset/calendars/day.txt` is read as `calendars/day.txt`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result};

/// A folder or an in-memory archive of files.
pub enum Source {
    Dir(PathBuf),
    Archive { path: PathBuf, files: BTreeMap<String, Vec<u8>> },
}

/// A boxed byte stream (already gunzipped when the file name ends in `.gz`).
pub type Stream = Box<dyn Read + Send>;

impl Source {
    /// True if `path`'s name ends like an archive [`Source::open`] reads.
    pub fn is_archive_name(path: &Path) -> bool {
        let name = path.to_string_lossy().to_ascii_lowercase();
        [".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz"].iter().any(|e| name.ends_with(e))
    }

    /// Opens a folder, or reads an archive whose name ends in `.tar`, `.tar.gz`, `.tgz`,
    /// `.tar.xz` or `.txz`.
    pub fn open(path: &Path) -> Result<Source> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            return Ok(Source::Dir(path.to_path_buf()));
        }
        let name = path.to_string_lossy().to_ascii_lowercase();
        if !Source::is_archive_name(path) {
            return Err(Error::format(path.display(), "not a folder or a .tar/.tar.gz/.tgz/.tar.xz archive"));
        }
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let buffered = BufReader::with_capacity(1 << 20, file);
        let reader: Stream = if name.ends_with(".tar") {
            Box::new(buffered)
        } else if name.ends_with(".xz") {
            Box::new(liblzma::read::XzDecoder::new_multi_decoder(buffered))
        } else {
            Box::new(MultiGzDecoder::new(buffered))
        };
        let bad = |e: std::io::Error| Error::format(path.display(), format!("corrupt or truncated archive: {e}"));
        let mut files = BTreeMap::new();
        let mut archive = tar::Archive::new(reader);
        for entry in archive.entries().map_err(bad)? {
            let mut entry = entry.map_err(bad)?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = entry.path().map_err(bad)?.to_string_lossy().replace('\\', "/");
            let mut buf = Vec::with_capacity(entry.size() as usize);
            entry.read_to_end(&mut buf).map_err(bad)?;
            files.insert(name.trim_start_matches("./").to_string(), buf);
        }
        if files.is_empty() {
            return Err(Error::format(path.display(), "archive holds no files"));
        }
        // Strip one common top-level folder.
        let first = files.keys().next().and_then(|k| k.split_once('/')).map(|(a, _)| format!("{a}/"));
        if let Some(prefix) = first.filter(|p| files.keys().all(|k| k.starts_with(p.as_str()))) {
            files = files.into_iter().map(|(k, v)| (k[prefix.len()..].to_string(), v)).collect();
        }
        Ok(Source::Archive { path: path.to_path_buf(), files })
    }

    /// A folder, an archive, or one plain file (then the source is its folder, and the file's
    /// name is returned to read from it).
    pub fn open_file_or_dir(path: &Path) -> Result<(Source, Option<String>)> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() || Source::is_archive_name(path) {
            return Ok((Source::open(path)?, None));
        }
        let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| Error::format(path.display(), "not a file name"))?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Ok((Source::Dir(dir.to_path_buf()), Some(name.to_string())))
    }

    /// The path a user would recognise, for messages: `dir/rel` or `archive.tar.gz:rel`.
    pub fn display(&self, rel: &str) -> String {
        match self {
            Source::Dir(d) => d.join(rel).display().to_string(),
            Source::Archive { path, .. } => format!("{}:{rel}", path.display()),
        }
    }

    /// The source itself, for messages.
    pub fn root(&self) -> &Path {
        match self {
            Source::Dir(d) => d,
            Source::Archive { path, .. } => path,
        }
    }

    pub fn exists(&self, rel: &str) -> bool {
        match self {
            Source::Dir(d) => d.join(rel).is_file(),
            Source::Archive { files, .. } => files.contains_key(rel),
        }
    }

    /// `stem.csv` or `stem.csv.gz`, whichever exists; both is an error (neither may win
    /// silently: they may hold different data).
    pub fn find_csv(&self, stem: &str) -> Result<Option<String>> {
        let found: Vec<String> =
            [format!("{stem}.csv"), format!("{stem}.csv.gz")].into_iter().filter(|p| self.exists(p)).collect();
        if found.len() > 1 {
            return Err(Error::format(self.display(&found[1]), format!("both {} and {} exist: keep one", found[0], found[1])));
        }
        Ok(found.into_iter().next())
    }

    /// Whole file contents (not decompressed).
    pub fn read(&self, rel: &str) -> Result<Vec<u8>> {
        match self {
            Source::Dir(d) => std::fs::read(d.join(rel)).map_err(|e| Error::io(d.join(rel), e)),
            Source::Archive { files, .. } => {
                files.get(rel).cloned().ok_or_else(|| Error::format(self.display(rel), "no such file"))
            }
        }
    }

    /// A stream over the file, gunzipped when its name ends in `.gz`.
    pub fn stream(&self, rel: &str) -> Result<Stream> {
        let raw: Stream = match self {
            Source::Dir(d) => {
                let p = d.join(rel);
                Box::new(BufReader::with_capacity(1 << 20, File::open(&p).map_err(|e| Error::io(&p, e))?))
            }
            Source::Archive { files, .. } => {
                let bytes = files.get(rel).ok_or_else(|| Error::format(self.display(rel), "no such file"))?;
                Box::new(Cursor::new(bytes.clone()))
            }
        };
        Ok(if rel.ends_with(".gz") { Box::new(MultiGzDecoder::new(raw)) } else { raw })
    }

    /// Names (not paths) of the entries directly inside folder `rel` ("" for the root),
    /// sorted; `dirs` selects sub-folders instead of files.
    pub fn list(&self, rel: &str, dirs: bool) -> Result<Vec<String>> {
        let prefix = if rel.is_empty() { String::new() } else { format!("{}/", rel.trim_end_matches('/')) };
        let mut out = Vec::new();
        match self {
            Source::Dir(d) => {
                let p = d.join(rel);
                for e in std::fs::read_dir(&p).map_err(|e| Error::io(&p, e))? {
                    let e = e.map_err(|e| Error::io(&p, e))?;
                    let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
                    if is_dir == dirs {
                        out.push(e.file_name().to_string_lossy().into_owned());
                    }
                }
            }
            Source::Archive { files, .. } => {
                for k in files.keys().filter(|k| k.starts_with(&prefix)) {
                    let rest = &k[prefix.len()..];
                    match (rest.split_once('/'), dirs) {
                        (Some((sub, _)), true) => out.push(sub.to_string()),
                        (None, false) => out.push(rest.to_string()),
                        _ => {}
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

//! Chunk sizes that travel within one message over both transports.

/// The largest chunk, at most `chunk`, that travels within a message limit of `limit` bytes
/// over both transports.
///
/// Over HTTP long-polling a binary attachment is sent as base64 (4/3 of its size), and
/// socket.io-client packs queued packets into one request up to the server's `maxPayload`,
/// estimating base64 as 1.33 times the size: a request of several chunks can exceed the
/// limit by 0.25 % and be refused (HTTP 413, the connection lost). So a chunk is at most 3/4
/// of the limit, and when the client's estimate would fit one chunk more in a request than
/// really fits, chunks shrink until the real count fits.
pub(crate) fn fitting_chunk(chunk: usize, limit: usize) -> usize {
    // A chunk's packets in a request: "b" + base64 and the text packet of its header (the
    // event, the id and the offset), with their separators.
    const HEADER: usize = 256;
    let actual = |c: usize| c.div_ceil(3) * 4 + 2 + HEADER;
    // What socket.io-client counts (`Math.ceil(size * 1.33)`, its header exactly).
    let estimated = |c: usize| (c * 133).div_ceil(100) + 2 + HEADER;
    let mut chunk = chunk.min(limit.saturating_sub(HEADER) / 4 * 3).max(1);
    let fits = limit / actual(chunk);
    let counted = limit / estimated(chunk);
    if counted > fits {
        chunk = ((limit / counted).saturating_sub(2 + HEADER) / 4 * 3).max(1);
    }
    chunk
}

#[cfg(test)]
mod tests {
    use super::fitting_chunk;

    /// As many chunks as socket.io-client packs into one polling request really fit.
    fn fits_in_requests(chunk: usize, limit: usize) -> bool {
        let estimated = |k: usize| k * ((chunk * 133).div_ceil(100) + 2 + 256);
        let actual = |k: usize| k * (chunk.div_ceil(3) * 4 + 2 + 256);
        let packed = (1..)
            .take_while(|k| estimated(*k) <= limit)
            .last()
            .unwrap_or(1);
        actual(packed) <= limit
    }

    #[test]
    fn chunks_fit_polling_requests_as_the_client_packs_them() {
        // 256 KiB chunks in 1 MiB or 2 MiB messages: as socket.io-client counts, one chunk
        // more fits in a request than really does.
        for limit in [1 << 20, 2 << 20] {
            assert!(!fits_in_requests(256 << 10, limit));
            let chunk = fitting_chunk(256 << 10, limit);
            assert!(chunk < 256 << 10 && chunk > 250 << 10, "{chunk}");
            assert!(fits_in_requests(chunk, limit), "{chunk} in {limit}");
        }
        for (chunk, limit) in [
            (64 << 10, 1 << 20),
            (1 << 20, 2 << 20),
            (1 << 30, 1 << 20),
            (100, 1000),
        ] {
            let fitted = fitting_chunk(chunk, limit);
            assert!(
                fitted <= chunk && fits_in_requests(fitted, limit),
                "{chunk} in {limit}: {fitted}"
            );
        }
    }
}

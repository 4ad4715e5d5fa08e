//! CDSi's logic on the model: evaluation, series selection, forecast, vaccine-group
//! merge and the cohort view. Depends only on the model.

pub(crate) mod assessment;
pub(crate) mod cohort;
pub(crate) mod evaluation;
pub(crate) mod t_status;
